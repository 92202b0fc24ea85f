"""The CSV telemetry format: `inventory.csv` plus `metrics.csv` in one folder.

inventory.csv: resource_id,pool,region,instance_type,purchase[,role]
               (purchase: on-demand|spot|committed; the optional role column says what a pool the
               stack does not declare is for: training|inference|cpu|edge-cache|preprocessing,
               empty when unknown)
metrics.csv:   timestamp,resource_id,gpu_index,metric,value     (gpu_index empty for host metrics;
               timestamp ISO 8601, naive meaning UTC, or Unix seconds)

`aeon collect nvml` writes this format, so what it records is read back with `--source csv`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from components.facts.files import csv_records
from components.facts.roles import PoolRole
from optimizers.options import Options
from optimizers.telemetry.errors import TelemetryInputError
from optimizers.telemetry.frame import Metric, Purchase, ResourceInfo, SeriesKey, TelemetryFrame
from optimizers.telemetry.registry import Inventory, ReadRequest, TelemetrySource, register
from optimizers.telemetry.series_builder import SeriesBuilder
from optimizers.telemetry.window import DEFAULT_LOOKBACK_S

INVENTORY_FILE = "inventory.csv"
METRICS_FILE = "metrics.csv"
INVENTORY_COLUMNS = ("resource_id", "pool", "region", "instance_type", "purchase")
ROLE_COLUMN = "role"  # optional
ROLES = {r.value: r for r in PoolRole}
METRICS_COLUMNS = ("timestamp", "resource_id", "gpu_index", "metric", "value")
MAX_LISTED_ERRORS = 20
Row = tuple[int, list[str]]

_PURCHASE_ALIASES = {p.value: p for p in Purchase} | {
    "ondemand": Purchase.ON_DEMAND,
    "on_demand": Purchase.ON_DEMAND,
    "reserved": Purchase.COMMITTED,
}


def parse_purchase(text: str) -> Purchase | None:
    return _PURCHASE_ALIASES.get(text.strip().lower())


def _open_table(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[Iterator[Row], dict[str, int]]:
    """The records after the header (line number, fields) and each column's index. Read as
    UTF-8 strict CSV (components/facts/files.py): a file that is not is refused, naming where."""
    if not path.exists():
        raise TelemetryInputError(f"{path}: file not found (expected columns {','.join(columns)})")
    records = csv_records(path, "telemetry file")
    _, header = next(records, (1, []))
    names = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in names]
    if missing:
        records.close()
        raise TelemetryInputError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the header must name "
            f"{','.join(columns)}"
        )
    return records, {c: names.index(c) for c in (*columns, *optional) if c in names}


def _raise_row_errors(path: Path, errors: list[str], total: int) -> None:
    more = f" (and {total - len(errors)} more)" if total > len(errors) else ""
    raise TelemetryInputError(
        f"{path}: {total} unparseable row(s), nothing was used: " + "; ".join(errors) + more
    )


def read_inventory_csv(path: Path | str) -> dict[str, ResourceInfo]:
    """Rows -> resources; a bad row (empty field, unknown purchase, duplicate id) fails the read,
    naming its line."""
    path = Path(path)
    rows, col = _open_table(path, INVENTORY_COLUMNS, (ROLE_COLUMN,))
    resources: dict[str, ResourceInfo] = {}
    errors: list[str] = []
    bad = 0
    with contextlib.closing(rows):
        for line, row in rows:
            fields = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
            problem = None
            empty = [c for c in ("resource_id", "pool", "region", "instance_type") if not fields[c]]
            purchase = parse_purchase(fields["purchase"])
            role_text = fields.get(ROLE_COLUMN, "").lower()
            if empty:
                problem = f"empty {', '.join(empty)}"
            elif purchase is None:
                allowed = ", ".join(p.value for p in Purchase)
                problem = f"unknown purchase {fields['purchase']!r} (use {allowed})"
            elif role_text and role_text not in ROLES:
                problem = f"unknown role {role_text!r} (use {', '.join(ROLES)}, or leave it empty)"
            elif fields["resource_id"] in resources:
                problem = f"resource {fields['resource_id']!r} listed twice"
            if problem:
                bad += 1
                if len(errors) < MAX_LISTED_ERRORS:
                    errors.append(f"line {line}: {problem}")
                continue
            resources[fields["resource_id"]] = ResourceInfo(
                resource_id=fields["resource_id"],
                pool=fields["pool"],
                region=fields["region"],
                instance_type=fields["instance_type"],
                purchase=purchase,
                role=ROLES.get(role_text),
            )
    if bad:
        _raise_row_errors(path, errors, bad)
    return resources


# Telemetry is from this century: a number outside these bounds is in another unit or garbage.
EARLIEST_S = 946_684_800  # 2000-01-01
LATEST_S = 100_000_000_000  # year 5138: anything larger is milliseconds (or not a time)


def parse_timestamp(text: str) -> tuple[int, bool]:
    """ISO 8601 (naive means UTC), Unix seconds or Unix milliseconds -> (whole Unix seconds,
    whether it was milliseconds); ValueError for anything else or out of range."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        number = moment.timestamp()
        if not EARLIEST_S <= number < LATEST_S:
            raise ValueError(f"{text!r} is before 2000") from None
        return math.floor(number), False
    millis = LATEST_S <= number < LATEST_S * 1000
    seconds = number / 1000 if millis else number
    if not (math.isfinite(seconds) and EARLIEST_S <= seconds < LATEST_S):
        raise ValueError(f"{text!r} is not a time since 2000 in Unix seconds or milliseconds")
    return math.floor(seconds), millis


def read_metrics_csv(
    path: Path | str, builder: SeriesBuilder, known_resources: Mapping[str, ResourceInfo]
) -> list[str]:
    """Add every row of metrics.csv to `builder`. Unparseable rows fail the whole read (with line
    numbers); unknown metrics and resources missing from the inventory are reported and skipped."""
    path = Path(path)
    rows, col = _open_table(path, METRICS_COLUMNS)
    metrics = {m.value: m for m in Metric}
    times: dict[str, int] = {}  # the same timestamp text repeats once per series
    units: Counter[bool] = Counter()  # numeric stamps read as milliseconds (True) or seconds
    unknown_metrics: Counter[str] = Counter()
    unknown_resources: Counter[str] = Counter()
    errors: list[str] = []
    bad = 0
    i_ts, i_res, i_gpu, i_met, i_val = (col[c] for c in METRICS_COLUMNS)
    width = max(col.values()) + 1
    with contextlib.closing(rows):
        for line, row in rows:
            if len(row) < width:
                bad += 1
                if len(errors) < MAX_LISTED_ERRORS:
                    errors.append(f"line {line}: {len(row)} fields, expected {width}")
                continue
            problem = None
            stamp = row[i_ts]
            ts = times.get(stamp)
            if ts is None:
                try:
                    ts, millis = parse_timestamp(stamp)
                except ValueError as exc:
                    problem = f"timestamp {exc}"
                else:
                    times[stamp] = ts
                    units[millis] += 1
            resource_id = row[i_res].strip()
            metric = metrics.get(row[i_met].strip())
            gpu_text = row[i_gpu].strip()
            gpu_index: int | None = None
            value = math.nan
            if problem is None and not resource_id:
                problem = "empty resource_id"
            if problem is None:
                try:
                    value = float(row[i_val])
                except ValueError:
                    problem = f"value {row[i_val]!r} is not a number"
            if problem is None and gpu_text:
                if gpu_text.isdigit():
                    gpu_index = int(gpu_text)
                else:
                    problem = f"gpu_index {gpu_text!r} is not a GPU number (0, 1, ...)"
            if problem is None and metric is not None:
                if metric.per_gpu and gpu_index is None:
                    problem = f"{metric.value} is a per-GPU metric: gpu_index is empty"
                elif not metric.per_gpu and gpu_index is not None:
                    problem = f"{metric.value} is a host metric: leave gpu_index empty"
            if problem:
                bad += 1
                if len(errors) < MAX_LISTED_ERRORS:
                    errors.append(f"line {line}: {problem}")
                continue
            if bad:
                continue  # the read fails anyway; only keep finding errors
            if metric is None:
                unknown_metrics[row[i_met].strip()] += 1
                continue
            if resource_id not in known_resources:
                unknown_resources[resource_id] += 1
                continue
            builder.add(SeriesKey(resource_id, metric, gpu_index), ts, value)
    if bad:
        _raise_row_errors(path, errors, bad)
    warnings: list[str] = []
    if units[True] and units[False]:
        raise TelemetryInputError(
            f"{path}: timestamps mix Unix seconds and milliseconds ({units[False]} and "
            f"{units[True]} distinct values); write one unit"
        )
    if units[True]:
        warnings.append(f"{path.name}: timestamps are Unix milliseconds; read as such")
    if unknown_metrics:
        names = ", ".join(f"{m or '(empty)'} ({n})" for m, n in sorted(unknown_metrics.items()))
        warnings.append(
            f"{path.name}: ignored unknown metric(s) {names}; known: "
            + ", ".join(m.value for m in Metric)
        )
    if unknown_resources:
        shown = sorted(unknown_resources)[:10]
        more = f" and {len(unknown_resources) - 10} more" if len(unknown_resources) > 10 else ""
        warnings.append(
            f"{path.name}: ignored {sum(unknown_resources.values())} samples of resources missing "
            f"from {INVENTORY_FILE}: {', '.join(shown)}{more}"
        )
    return warnings


def resolve_inventory(inventory: Inventory) -> dict[str, ResourceInfo] | None:
    """An inventory passed in: a mapping, an inventory.csv path, or a folder holding one."""
    if inventory is None:
        return None
    if isinstance(inventory, Mapping):
        return dict(inventory)
    path = Path(inventory)
    return read_inventory_csv(path / INVENTORY_FILE if path.is_dir() else path)


def load_csv_frame(
    folder: Path | str,
    *,
    source: str = "csv",
    lookback_s: int | None = None,
    end: int | None = None,
    inventory: Inventory = None,
) -> TelemetryFrame:
    folder = Path(folder)
    if not folder.is_dir():
        raise TelemetryInputError(
            f"{folder}: not a folder; --input must name a folder holding {INVENTORY_FILE} "
            f"and {METRICS_FILE}"
        )
    resources = resolve_inventory(inventory) or read_inventory_csv(folder / INVENTORY_FILE)
    builder = SeriesBuilder()
    warnings = read_metrics_csv(folder / METRICS_FILE, builder, resources)
    newest = builder.newest_timestamp()
    # Recorded files end in the past: by default the window ends at their newest sample.
    stop = end if end is not None else newest
    lookback = lookback_s or DEFAULT_LOOKBACK_S
    start = None if stop is None else stop - lookback
    series, build_warnings = builder.build(start, stop)
    return TelemetryFrame(
        source=source,
        resources=resources,
        series=series,
        warnings=warnings + build_warnings,
        samples_outside=builder.outside,
    )


@register
class CsvSource(TelemetrySource):
    name = "csv"
    description = "inventory.csv + metrics.csv from a folder (--input DIR)"
    reads_files = True
    files_hint = f"a folder with {INVENTORY_FILE} and {METRICS_FILE}"
    live = False

    def _load(self, request: ReadRequest, options: Options) -> TelemetryFrame:
        frame = load_csv_frame(
            request.input_dir,  # type: ignore[arg-type]  # required: not live
            lookback_s=request.lookback_s,
            end=request.end,
            inventory=request.inventory,
        )
        if request.region is not None:  # keep only that region's resources when one is asked
            frame.resources = {
                k: r for k, r in frame.resources.items() if r.region == request.region
            }
            frame.series = {
                k: s for k, s in frame.series.items() if k.resource_id in frame.resources
            }
        return frame


# Writers (used by `aeon collect nvml` and by tests building fixtures).


def format_value(value: float) -> str:
    """Shortest text that reads back to the same float (bytes stay exact integers)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(value)


def format_timestamp(ts: float) -> str:
    return f"{ts:.3f}".rstrip("0").rstrip(".")


def inventory_csv_text(resources: Iterable[ResourceInfo]) -> str:
    """The inventory as CSV; the role column only when some resource has a role."""
    rows = list(resources)
    roles = any(r.role is not None for r in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INVENTORY_COLUMNS + ((ROLE_COLUMN,) if roles else ()))
    for r in rows:
        row = [r.resource_id, r.pool, r.region, r.instance_type, r.purchase.value]
        writer.writerow(row + ([r.role.value if r.role else ""] if roles else []))
    return out.getvalue()


class MetricsCsvWriter:
    """Appends samples to metrics.csv and flushes after each batch, so the file stays complete
    (only whole rows) if the writer is stopped at any point."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._handle = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._writer.writerow(METRICS_COLUMNS)
        self._handle.flush()

    def write_batch(self, rows: Iterable[tuple[float, str, int | None, Metric, float]]) -> None:
        lines = [
            (
                format_timestamp(ts),
                rid,
                "" if gpu is None else gpu,
                metric.value,
                format_value(value),
            )
            for ts, rid, gpu, metric, value in rows
        ]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(lines)
        self._handle.write(out.getvalue())  # one write per sample: a stop never splits a row
        self._handle.flush()
        self.rows += len(lines)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> MetricsCsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
