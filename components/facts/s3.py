"""S3 lifecycle rules: which transitions S3 accepts, and what a class bills at the least.

Sources: the S3 user guide (lifecycle transitions, "transitioning objects"), the S3 API reference
(TransitionDefaultMinimumObjectSize) and the S3 pricing page, read 2026-11; summarized in
docs/aws-rules.md#s3-lifecycle and docs/aws-rules.md#s3-minimum-storage-duration-and-size.
"""

from __future__ import annotations

# Storage classes in waterfall order: a transition may only move right.
S3_WATERFALL = (
    "STANDARD",
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
# AWS refuses a transition to these before day 30 (current and noncurrent versions alike).
S3_MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
# Transitions AWS refuses even though they move right in the waterfall.
S3_FORBIDDEN_TRANSITIONS = frozenset(
    {
        ("INTELLIGENT_TIERING", "STANDARD_IA"),
        ("ONEZONE_IA", "STANDARD_IA"),
        ("ONEZONE_IA", "INTELLIGENT_TIERING"),
        ("ONEZONE_IA", "GLACIER_IR"),
    }
)
# Minimum storage duration: an object leaving the class earlier is billed the full minimum.
S3_MIN_STORAGE_DAYS = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "GLACIER_IR": 90,
    "GLACIER": 90,
    "DEEP_ARCHIVE": 180,
}
# Minimum billable object size: a smaller object in these classes bills as 128 KB.
S3_MIN_BILLABLE_BYTES = 128 * 1024
S3_MIN_BILLABLE_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "GLACIER_IR")
# GLACIER and DEEP_ARCHIVE bill 40 KB of index and metadata per object on top of its size
# (8 KB at STANDARD rates, 32 KB at the class's own).
S3_ARCHIVE_OVERHEAD_BYTES = 40 * 1024

# TransitionDefaultMinimumObjectSize. The default keeps objects under 128 KB out of every
# transition; `varies_by_storage_class` lets them reach GLACIER and DEEP_ARCHIVE only. A rule's
# own ObjectSizeGreaterThan / ObjectSizeLessThan filter takes precedence over either.
S3_DEFAULT_MIN_OBJECT_SIZE = "all_storage_classes_128K"
S3_VARIES_BY_CLASS_MIN_OBJECT_SIZE = "varies_by_storage_class"
S3_SMALL_OBJECT_BYTES = 128 * 1024
S3_SMALL_OBJECT_CLASSES_WHEN_VARYING = ("GLACIER", "DEEP_ARCHIVE")
