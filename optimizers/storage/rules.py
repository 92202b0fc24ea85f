"""S3 rules that decide which lifecycles are valid and what each storage class bills.

The AWS tables (waterfall order, day-30 minimum for the IA classes, forbidden pairs, minimum
durations and sizes) are the shared facts (`components.facts.s3`) the stack settings validate with,
so a lifecycle the optimizer proposes is one the settings accept; the policy pack keeps its own
copies (it imports nothing from the repo) and a contract test keeps them equal. What only the cost
model needs is here. Sources: docs/aws-rules.md and docs/storage-tiering.md.
"""

from __future__ import annotations

from components.facts.s3 import (
    S3_FORBIDDEN_TRANSITIONS,
    S3_MIN_BILLABLE_BYTES,
    S3_MIN_BILLABLE_CLASSES,
    S3_MIN_STORAGE_DAYS,
    S3_MIN_TRANSITION_DAYS,
    S3_SMALL_OBJECT_BYTES,
    S3_WATERFALL,
)

STANDARD = "STANDARD"
TRANSITION_CLASSES = S3_WATERFALL[1:]  # every class a lifecycle rule can move objects to
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")  # reads fail with InvalidObjectState until restored

# Minimum storage duration: leaving the class earlier bills the remaining days anyway.
# Intelligent-Tiering has had none since 2021-09 (AWS "What's new", S3 pricing page).
MIN_STORAGE_DAYS = S3_MIN_STORAGE_DAYS
# A transition after one to STANDARD_IA or ONEZONE_IA must come at least 30 days later.
DAYS_AFTER_IA = 30

KB = 1024
GB = 1024**3  # S3 bills binary gigabytes
# Standard-IA, One Zone-IA and Glacier IR bill at least 128 KB per object.
MIN_BILLABLE_BYTES = dict.fromkeys(S3_MIN_BILLABLE_CLASSES, S3_MIN_BILLABLE_BYTES)
# Lifecycle's default filter (all_storage_classes_128K): objects under 128 KB never transition.
DEFAULT_TRANSITION_MIN_BYTES = S3_SMALL_OBJECT_BYTES
# Glacier Flexible Retrieval and Deep Archive add 40 KB per object: 8 KB billed at Standard
# rates (the object's name and metadata) and 32 KB at the archive class's rate (its index).
ARCHIVE_OVERHEAD_STANDARD_BYTES = 8 * KB
ARCHIVE_OVERHEAD_CLASS_BYTES = 32 * KB
# Intelligent-Tiering monitors (and bills) objects of 128 KB or more only; smaller ones stay in
# the Frequent Access tier. Unread for 30 days: Infrequent Access; for 90: Archive Instant Access.
IT_MONITORED_MIN_BYTES = 128 * KB
IT_INFREQUENT_AFTER_DAYS = 30
IT_ARCHIVE_INSTANT_AFTER_DAYS = 90
# A restored archive object is a temporary copy billed at Standard rates for the days asked.
RESTORE_COPY_DAYS = 1

DAYS_PER_MONTH = 365 / 12


def billable_bytes(size: float, storage_class: str) -> float:
    """Bytes billed for one object of `size` bytes stored in `storage_class` (overheads aside)."""
    return max(size, MIN_BILLABLE_BYTES.get(storage_class, 0))


def transition_allowed(previous: str, following: str) -> bool:
    """Whether S3 moves objects from `previous` to `following` (waterfall, forbidden pairs)."""
    if following == STANDARD or following not in S3_WATERFALL or previous not in S3_WATERFALL:
        return False
    if S3_WATERFALL.index(following) <= S3_WATERFALL.index(previous):
        return False
    return (previous, following) not in S3_FORBIDDEN_TRANSITIONS


def min_gap_days(previous: str) -> int:
    """Fewest days an object must stay in `previous` before the next transition or expiry.

    S3 itself requires 30 days after an IA transition; the policy pack also refuses leaving a class
    before its minimum storage duration (it would bill those days anyway).
    """
    gap = MIN_STORAGE_DAYS.get(previous, 1)
    if previous in IA_CLASSES:
        gap = max(gap, DAYS_AFTER_IA)
    return max(gap, 1)


def min_transition_day(storage_class: str) -> int:
    """Earliest age (days) a lifecycle may move objects to `storage_class` (stack settings: > 0)."""
    return max(S3_MIN_TRANSITION_DAYS.get(storage_class, 0), 1)
