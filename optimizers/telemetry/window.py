"""Lookback windows: duration text, CloudWatch retention and period alignment."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from optimizers.telemetry.errors import TelemetryInputError

DAY_S = 86_400
DEFAULT_LOOKBACK_S = 14 * DAY_S  # Compute Optimizer and krr both look back 14 days

_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": DAY_S, "w": 7 * DAY_S}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", re.IGNORECASE)

# CloudWatch keeps 1-minute data 15 days, 5-minute data 63 days, hourly data 455 days
# (AWS CloudWatch concepts, "Metrics retention"). Finer data is rolled up as it ages.
CLOUDWATCH_RETENTION: tuple[tuple[int, int], ...] = (
    (60, 15 * DAY_S),
    (300, 63 * DAY_S),
    (3_600, 455 * DAY_S),
)


def parse_duration(text: str | int | float) -> int:
    """'14d', '6h', '90m', '1s', '2w', '1d12h' or a number of seconds -> whole seconds (> 0).

    Raises TelemetryInputError (an InputError: exit 2 in the CLI) naming the bad text.
    """
    if isinstance(text, bool):
        raise TelemetryInputError(f"bad duration {text!r}: use e.g. 14d, 6h, 90m, 1s")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = str(text).strip()
        if re.fullmatch(r"\d+(\.\d+)?", raw):
            seconds = float(raw)
        else:
            parts = _DURATION.findall(raw)
            if not parts or "".join(f"{n}{u}" for n, u in parts) != re.sub(r"\s+", "", raw):
                raise TelemetryInputError(
                    f"bad duration {text!r}: use a number and a unit s, m, h, d or w "
                    "(e.g. 14d, 6h, 90m, 1s)"
                )
            seconds = sum(float(n) * _UNITS[u.lower()] for n, u in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise TelemetryInputError(f"bad duration {text!r}: it must be more than 0 seconds")
    return max(1, round(seconds))


def iso_utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def format_duration(seconds: int) -> str:
    """Seconds -> the shortest exact text parse_duration reads back ('14d', '90m', '45s')."""
    for unit, size in (("d", DAY_S), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def cloudwatch_min_period(oldest_age_s: int) -> int:
    """The finest period CloudWatch still holds for data this old (seconds before now)."""
    for period, retention in CLOUDWATCH_RETENTION:
        if oldest_age_s <= retention:
            return period
    raise TelemetryInputError(
        f"a lookback of {format_duration(oldest_age_s)} is beyond CloudWatch's 455-day retention"
    )


def align_window(end: int, lookback_s: int, period: int) -> tuple[int, int]:
    """[start, end) with both ends on period boundaries, covering at least the lookback.

    CloudWatch answers fastest and returns whole periods when start/end are multiples of the period.
    """
    aligned_end = (end // period) * period
    if aligned_end < end:
        aligned_end += period
    start = aligned_end - math.ceil(lookback_s / period) * period
    return start, aligned_end
