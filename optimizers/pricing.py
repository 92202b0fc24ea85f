"""Prices from the small table of figures in `optimizers/prices.csv`, and its refresh from AWS.

Each figure keeps its source and date. A missing figure stays missing: `price_paid` returns None
and the caller marks what needs it unpriced; nothing is interpolated from neighbouring types.
The price actually paid depends on how the capacity is bought: on-demand, the spot average, or,
for committed capacity, the committed rate (which is paid whether the capacity runs or not until
the term ends, so a change saves nothing before then).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optimizers.recommendation import PriceFigure

PRICE_TABLE = Path(__file__).with_name("prices.csv")
COLUMNS = ("region", "instance_type", "figure", "value", "source", "date")
ONDEMAND = "ondemand_usd_per_hour"
SPOT_AVG = "spot_avg_usd_per_hour"
SPOT_SAVING = "spot_saving_pct"
SPOT_INTERRUPTION = "spot_interruption"
COMMIT_1Y = "commit_1y_discount_pct"
COMMIT_3Y = "commit_3y_discount_pct"
FIGURES = (ONDEMAND, SPOT_AVG, SPOT_SAVING, SPOT_INTERRUPTION, COMMIT_1Y, COMMIT_3Y)
ANY_TYPE = "*"  # a region-wide typical figure
PRICE_LIST_SOURCE = "aws-price-list"


class PriceTableError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    value: str | None  # None: missing
    source: str
    date: str

    @property
    def number(self) -> float | None:
        return None if self.value is None else float(self.value)


@dataclass(frozen=True)
class PricePaid:
    usd_per_hour: float | None
    basis: str  # on-demand | spot | committed
    figures: tuple[PriceFigure, ...]
    note: str = ""


@dataclass
class PriceBook:
    figures: dict[tuple[str, str, str], Figure]  # (region, instance_type, figure) -> Figure
    header: str = ""

    def figure(self, region: str, instance_type: str, name: str) -> Figure | None:
        return self.figures.get((region, instance_type, name))

    def number(self, region: str, instance_type: str, name: str) -> float | None:
        fig = self.figure(region, instance_type, name)
        return None if fig is None else fig.number

    def _as_price(self, region: str, instance_type: str, basis: str, name: str) -> PriceFigure:
        """The table's figure `name` as used: a percentage (a spot saving, a commitment
        discount) goes to `discount_pct`, a price to `usd_per_hour`."""
        fig = self.figure(region, instance_type, name)
        number = None if fig is None else fig.number
        is_pct = name.endswith("_pct")
        return PriceFigure(
            instance_type=instance_type,
            region=region,
            basis=basis,  # type: ignore[arg-type]
            usd_per_hour=None if is_pct else number,
            discount_pct=number if is_pct else None,
            source=None if fig is None else f"{fig.source} ({name})",
            date=None if fig is None else fig.date,
        )

    def commit_discount_pct(self, region: str, instance_type: str) -> tuple[float | None, str]:
        for key in (instance_type, ANY_TYPE):
            value = self.number(region, key, COMMIT_1Y)
            if value is not None:
                return value, key
        return None, instance_type

    def price_paid(self, instance_type: str, region: str, purchase: str) -> PricePaid:
        """USD per hour for one instance bought this way, or None when a figure is missing."""
        od_fig = self._as_price(region, instance_type, "on-demand", ONDEMAND)
        ondemand = od_fig.usd_per_hour
        if purchase == "spot":
            spot = self._as_price(region, instance_type, "spot", SPOT_AVG)
            if spot.usd_per_hour is not None:
                return PricePaid(spot.usd_per_hour, "spot", (spot,), "spot average price")
            saving = self.number(region, instance_type, SPOT_SAVING)
            if ondemand is not None and saving is not None:
                fig = self._as_price(region, instance_type, "spot", SPOT_SAVING)
                price = ondemand * (1 - saving / 100)
                return PricePaid(
                    price,
                    "spot",
                    (od_fig, fig),
                    f"on-demand less the typical {saving:g}% spot saving",
                )
            return PricePaid(None, "spot", (od_fig, spot), "no spot figure for this type/region")
        if purchase == "committed":
            discount, key = self.commit_discount_pct(region, instance_type)
            fig = self._as_price(region, key, "committed", COMMIT_1Y)
            if ondemand is None or discount is None:
                return PricePaid(None, "committed", (od_fig, fig), "no committed rate figure")
            return PricePaid(
                ondemand * (1 - discount / 100),
                "committed",
                (od_fig, fig),
                f"1-year commitment at {discount:g}% off on-demand",
            )
        return PricePaid(ondemand, "on-demand", (od_fig,), "on-demand price")


def load_price_book(path: Path | None = None) -> PriceBook:
    path = path or PRICE_TABLE
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    reader = csv.reader(body)
    names = next(reader, None)
    if names is None or tuple(names) != COLUMNS:
        raise PriceTableError(f"{path}: expected columns {','.join(COLUMNS)}, got {names}")
    figures: dict[tuple[str, str, str], Figure] = {}
    for line_no, row in enumerate(reader, start=2):
        if len(row) != len(COLUMNS):
            raise PriceTableError(f"{path}: data row {line_no} has {len(row)} fields, not 6")
        region, itype, name, value, source, date = row
        if name not in FIGURES:
            raise PriceTableError(f"{path}: data row {line_no}: unknown figure {name!r}")
        if value and name != SPOT_INTERRUPTION:
            try:
                float(value)
            except ValueError:
                raise PriceTableError(
                    f"{path}: data row {line_no}: {value!r} is not a number"
                ) from None
        figures[(region, itype, name)] = Figure(value or None, source, date)
    return PriceBook(figures, header)


def write_price_book(book: PriceBook, path: Path) -> None:
    """Atomic write: the old table stays whole if anything fails."""
    out = io.StringIO()
    out.write(book.header)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    order = {name: i for i, name in enumerate(FIGURES)}
    for (region, itype, name), fig in sorted(
        book.figures.items(), key=lambda kv: (kv[0][0], kv[0][1], order[kv[0][2]])
    ):
        writer.writerow([region, itype, name, fig.value or "", fig.source, fig.date])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(out.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- refresh from the AWS Price List API -------------------------------------------------------

PRICING_REGION = (
    "us-east-1"  # the Price List API answers only in us-east-1, eu-central-1, ap-south-1
)


def pricing_client() -> Any:
    import boto3

    return boto3.client("pricing", region_name=PRICING_REGION)


def price_list_filters(instance_type: str) -> list[dict[str, str]]:
    wanted = {
        "instanceType": instance_type,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in wanted.items()]


@dataclass(frozen=True)
class ListedPrice:
    region: str
    instance_type: str
    ondemand: float | None
    commit_1y_no_upfront: float | None  # hourly rate, standard class
    commit_3y_no_upfront: float | None


def _hourly_usd(term: Mapping[str, Any]) -> float | None:
    for dim in term.get("priceDimensions", {}).values():
        if dim.get("unit") == "Hrs":
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None and float(usd) > 0:
                return float(usd)
    return None


def parse_price_list_item(text: str) -> ListedPrice | None:
    """One PriceList entry (a JSON string) -> its Linux shared-tenancy hourly prices."""
    item = json.loads(text)
    attrs = item.get("product", {}).get("attributes", {})
    region, itype = attrs.get("regionCode"), attrs.get("instanceType")
    if not region or not itype:
        return None
    terms = item.get("terms", {})
    ondemand = None
    for term in terms.get("OnDemand", {}).values():
        ondemand = _hourly_usd(term)
        if ondemand is not None:
            break
    reserved: dict[str, float] = {}
    for term in terms.get("Reserved", {}).values():
        ta = term.get("termAttributes", {})
        if ta.get("OfferingClass") != "standard" or ta.get("PurchaseOption") != "No Upfront":
            continue
        rate = _hourly_usd(term)
        if rate is not None:
            reserved[ta.get("LeaseContractLength", "")] = rate
    return ListedPrice(region, itype, ondemand, reserved.get("1yr"), reserved.get("3yr"))


def fetch_listed_prices(client: Any, instance_type: str) -> list[ListedPrice]:
    found: list[ListedPrice] = []
    kwargs: dict[str, Any] = {
        "ServiceCode": "AmazonEC2",
        "Filters": price_list_filters(instance_type),
        "FormatVersion": "aws_v1",
    }
    while True:
        page = client.get_products(**kwargs)
        for text in page.get("PriceList", []):
            listed = parse_price_list_item(text)
            if listed is not None and listed.instance_type == instance_type:
                found.append(listed)
        token = page.get("NextToken")
        if not token:
            return found
        kwargs["NextToken"] = token


@dataclass(frozen=True)
class RefreshSummary:
    types: int
    updated: int
    not_listed: list[tuple[str, str]]


def refresh_price_book(
    book: PriceBook,
    client: Any,
    pairs: Iterable[tuple[str, str]] | None = None,
    today: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RefreshSummary:
    """Replace on-demand and commitment figures of `pairs` (region, type) with Price List figures.

    Spot figures are not in the Price List and keep their source. A pair the API does not list
    keeps its old figure and is reported.
    """
    today = today or datetime.now(UTC).date().isoformat()
    if pairs is None:
        pairs = {(r, t) for (r, t, _) in book.figures if t != ANY_TYPE}
    wanted: dict[str, set[str]] = {}
    for region, itype in pairs:
        wanted.setdefault(itype, set()).add(region)
    updated = 0
    not_listed: list[tuple[str, str]] = []
    for itype in sorted(wanted):
        if progress:
            progress(itype)
        listed = {p.region: p for p in fetch_listed_prices(client, itype)}
        for region in sorted(wanted[itype]):
            price = listed.get(region)
            if price is None or price.ondemand is None:
                not_listed.append((region, itype))
                continue
            book.figures[(region, itype, ONDEMAND)] = Figure(
                f"{price.ondemand:g}", PRICE_LIST_SOURCE, today
            )
            for name, rate in (
                (COMMIT_1Y, price.commit_1y_no_upfront),
                (COMMIT_3Y, price.commit_3y_no_upfront),
            ):
                if rate is not None:
                    pct = (1 - rate / price.ondemand) * 100
                    book.figures[(region, itype, name)] = Figure(
                        f"{pct:.2f}", PRICE_LIST_SOURCE, today
                    )
            updated += 1
    return RefreshSummary(len(wanted), updated, not_listed)
