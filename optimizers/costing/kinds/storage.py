"""S3 buckets: storage and requests per storage class, all from infracost's usage keys.

Storage is priced at the first-50-TB rate (the table holds one tier; a warning says when the
usage goes beyond it). Requests in the usage file are counts; the table prices them per 1,000.
`glacier_instant_retrieval` is an aeon addition (infracost has no block for it), with the same
keys as `standard_infrequent_access`.
"""

from __future__ import annotations

from optimizers.costing.quote import Quote
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER, WHOLE

FIRST_TIER_GB = 51200.0  # S3 Standard's first price tier: 50 TB

# usage key -> (line label, price key suffix, unit, per)
STORAGE = ("Storage", "storage", "GB", 1.0)
TIER1 = ("PUT, COPY, POST, LIST requests", "put_copy_post_list_requests", "1k requests", 1000.0)
TIER2 = ("GET, SELECT and other requests", "get_select_and_all_other_requests", "1k requests",
         1000.0)  # fmt: skip
TRANSITIONS = ("Lifecycle transitions", "lifecycle_transition", "1k requests", 1000.0)
SCANNED = ("Select data scanned", "select_data_scanned", "GB", 1.0)
RETURNED = ("Select data returned", "select_data_returned", "GB", 1.0)
RETRIEVALS = ("Retrievals", "retrievals", "GB", 1.0)
COMMON = {"monthly_tier_1_requests": TIER1, "monthly_tier_2_requests": TIER2}
INFREQUENT = {
    "storage_gb": STORAGE, **COMMON, "monthly_lifecycle_transition_requests": TRANSITIONS,
    "monthly_data_retrieval_gb": RETRIEVALS, "monthly_select_data_scanned_gb": SCANNED,
    "monthly_select_data_returned_gb": RETURNED,
}  # fmt: skip
GLACIER_COMMON = {
    "storage_gb": STORAGE, **COMMON, "monthly_lifecycle_transition_requests": TRANSITIONS,
    "monthly_standard_data_retrieval_requests": (
        "Standard retrieval requests", "retrieval_requests_standard", "1k requests", 1000.0),
    "monthly_standard_data_retrieval_gb": (
        "Standard retrievals", "retrievals_standard", "GB", 1.0),
}  # fmt: skip
# infracost's block name -> (price key prefix, keys)
CLASSES: dict[str, tuple[str, dict[str, tuple[str, str, str, float]]]] = {
    "standard": ("s3.standard", {
        "storage_gb": STORAGE, **COMMON, "monthly_select_data_scanned_gb": SCANNED,
        "monthly_select_data_returned_gb": RETURNED}),
    "intelligent_tiering": ("s3.intelligent_tiering", {
        "frequent_access_storage_gb": ("Frequent access storage", "storage_frequent_access",
                                       "GB", 1.0),
        "infrequent_access_storage_gb": ("Infrequent access storage",
                                         "storage_infrequent_access", "GB", 1.0),
        "archive_access_storage_gb": ("Archive access storage", "storage_archive_access",
                                      "GB", 1.0),
        "deep_archive_access_storage_gb": ("Deep archive access storage",
                                           "storage_deep_archive_access", "GB", 1.0),
        "monitored_objects": ("Monitoring and automation", "monitoring_and_automation",
                              "1k objects", 1000.0),
        **COMMON, "monthly_lifecycle_transition_requests": TRANSITIONS,
        "monthly_select_data_scanned_gb": SCANNED, "monthly_select_data_returned_gb": RETURNED,
        "early_delete_gb": ("Early deletes", "early_delete_within_30_days", "GB", 1.0)}),
    "standard_infrequent_access": ("s3.standard_ia", INFREQUENT),
    "one_zone_infrequent_access": ("s3.one_zone_ia", INFREQUENT),
    "glacier_instant_retrieval": ("s3.glacier_instant_retrieval", {
        "storage_gb": STORAGE, **COMMON, "monthly_lifecycle_transition_requests": TRANSITIONS,
        "monthly_data_retrieval_gb": RETRIEVALS,
        "early_delete_gb": ("Early deletes", "early_delete_within_90_days", "GB", 1.0)}),
    "glacier_flexible_retrieval": ("s3.glacier_flexible_retrieval", {
        **GLACIER_COMMON,
        "monthly_expedited_data_retrieval_requests": (
            "Expedited retrieval requests", "retrieval_requests_expedited", "1k requests", 1000.0),
        "monthly_expedited_data_retrieval_gb": (
            "Expedited retrievals", "retrievals_expedited", "GB", 1.0),
        **{f"monthly_{level}_select_data_{what}_gb": (
            f"Select data {what} ({level})", f"select_data_{what}_{level}", "GB", 1.0)
           for level in ("standard", "expedited", "bulk") for what in ("scanned", "returned")},
        "early_delete_gb": ("Early deletes", "early_delete_within_90_days", "GB", 1.0)}),
    "glacier_deep_archive": ("s3.glacier_deep_archive", {
        **GLACIER_COMMON,
        "monthly_bulk_data_retrieval_requests": (
            "Bulk retrieval requests", "retrieval_requests_bulk", "1k requests", 1000.0),
        "monthly_bulk_data_retrieval_gb": ("Bulk retrievals", "retrievals_bulk", "GB", 1.0),
        "early_delete_gb": ("Early deletes", "early_delete_within_180_days", "GB", 1.0)}),
}  # fmt: skip
WHOLE_KEYS = ("requests", "objects")
S3_USAGE = {
    "object_tags": WHOLE,
    **{
        block: {key: WHOLE if key.endswith(WHOLE_KEYS) else NUMBER for key in keys}
        for block, (_, keys) in CLASSES.items()
    },
}


@priced("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", usage=S3_USAGE)
def s3_bucket(q: Quote) -> None:
    given = [block for block in CLASSES if q.usage.has(block)] or ["standard"]
    for block in given:
        prefix, keys = CLASSES[block]
        usage = q.usage.block(block)
        for key, (label, suffix, unit, per) in keys.items():
            if key.endswith("storage_gb") and usage.number(key) > FIRST_TIER_GB:
                q.warn(f"{block}.{key} above 50 TB priced at the first tier's rate (AWS charges "
                       "less above it)")  # fmt: skip
            quantity = usage.number(key)
            if quantity or key in ("storage_gb", "frequent_access_storage_gb"):
                q.service(f"{label} ({block})", f"{prefix}.{suffix}", quantity, unit, per=per,
                          usage_based=True)  # fmt: skip
    q.service("Object tags", "s3.object_tagging", q.usage.number("object_tags"), "10k tags",
              per=10000.0, usage_based=bool(q.usage.has("object_tags")))  # fmt: skip
