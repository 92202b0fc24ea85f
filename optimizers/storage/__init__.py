"""Storage tiering: S3 readers (inventory, access logs, CloudTrail), the whole-life lifecycle cost
model and the search for the cheapest valid lifecycle (docs/storage-tiering.md)."""
