"""Cron expressions as EC2 Auto Scaling (scheduled actions) and Kubernetes (CronJobs) read them.

Both take the traditional five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12
or JAN-DEC), day of week (0-7 or SUN-SAT, 0 and 7 are Sunday). Each field is `*`, a value, a range
`a-b`, any of them stepped with `/n`, or a comma list of those. Kubernetes also accepts `?` for
either day field and the `@hourly`-style macros. A schedule that can never fire (February 30th) is
rejected too: nobody means it.
"""

from __future__ import annotations

MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, low, high, names for low.., name offset)
_FIELDS = (
    ("minute", 0, 59, (), 0),
    ("hour", 0, 23, (), 0),
    ("day of month", 1, 31, (), 0),
    ("month", 1, 12, _MONTHS, 1),
    ("day of week", 0, 7, _DAYS, 0),
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def check_cron(text: str) -> str:
    """`text` if EC2 Auto Scaling accepts it as a recurrence (five fields), else ValueError."""
    return _check(text, kubernetes=False)


def check_kubernetes_cron(text: str) -> str:
    """`text` if a Kubernetes CronJob accepts it as its schedule, else ValueError."""
    return _check(text, kubernetes=True)


def _check(text: str, kubernetes: bool) -> str:
    if kubernetes and text.strip() in MACROS:
        return text
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            "a cron expression has 5 fields: minute hour day-of-month month day-of-week "
            "(e.g. '0 20 * * MON-FRI')"
        )
    values = [_field(item, kubernetes, *spec) for item, spec in zip(fields, _FIELDS, strict=True)]
    days, months = values[2], values[3]
    restricted_dom = fields[2] not in ("*", "?")
    if restricted_dom and fields[4] in ("*", "?"):
        if not any(day <= _DAYS_IN_MONTH[month - 1] for day in days for month in months):
            raise ValueError(f"{text!r} never fires: no chosen month has the chosen days")
    return text


def _field(
    text: str, kubernetes: bool, name: str, low: int, high: int, names: tuple[str, ...], base: int
) -> set[int]:
    if kubernetes and text == "?" and name in ("day of month", "day of week"):
        return set(range(low, high + 1))
    chosen: set[int] = set()
    for part in text.split(","):
        span, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) < 1:
                raise ValueError(f"{name} {part!r}: the step after / must be a positive number")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            a, _, b = span.partition("-")
            first = _value(a, name, low, high, names, base)
            last = _value(b, name, low, high, names, base)
            if first > last:
                raise ValueError(f"{name} {part!r}: the range runs backwards")
        else:
            first = _value(span, name, low, high, names, base)
            last = high if slash else first
        chosen.update(range(first, last + 1, step))
    return chosen


def _value(text: str, name: str, low: int, high: int, names: tuple[str, ...], base: int) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + base
    if not (text.isascii() and text.isdigit()):
        allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
        raise ValueError(f"{name} {text!r} is not a number ({allowed})")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{name} {number} is out of range {low}-{high}")
    return number
