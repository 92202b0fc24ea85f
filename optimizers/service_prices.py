"""Unit prices of AWS services other than EC2 capacity, from `optimizers/service_prices.csv`.

    prices = load_service_prices()
    figure = prices.get("us-east-1", "s3.standard_ia.storage")   # None: missing, never guessed
    figure.usd, figure.unit, figure.source, figure.date

Keys follow infracost's price keys (`<service>.<class>.<dimension>`), so figures compare with what
teams know from infracost. A key the table lacks for a region is missing: the caller reports what
needs it as unpriced, naming `MissingPrice.key`; nothing is borrowed from another region.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

SERVICE_PRICE_TABLE = Path(__file__).with_name("service_prices.csv")
COLUMNS = ("region", "price_key", "unit", "usd", "source", "date")


class ServicePriceTableError(ValueError):
    """The table itself is malformed (a bug in the repo or a bad rebuild), not a user input."""


@dataclass(frozen=True)
class ServicePrice:
    region: str
    key: str
    unit: str
    usd: float
    source: str
    date: str


@dataclass(frozen=True)
class MissingPrice:
    region: str
    key: str

    def __str__(self) -> str:
        return f"no price {self.key!r} for {self.region}"


@dataclass(frozen=True)
class ServicePrices:
    figures: dict[tuple[str, str], ServicePrice]

    def get(self, region: str, key: str) -> ServicePrice | None:
        return self.figures.get((region, key))

    def usd(self, region: str, key: str) -> float | MissingPrice:
        """The figure's value, or a MissingPrice naming the key (for 'unpriced: why')."""
        figure = self.get(region, key)
        return MissingPrice(region, key) if figure is None else figure.usd

    def regions(self) -> set[str]:
        return {region for region, _ in self.figures}


def load_service_prices(path: Path | None = None) -> ServicePrices:
    path = path or SERVICE_PRICE_TABLE
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    reader = csv.reader(line for line in lines if not line.startswith("#"))
    names = next(reader, None)
    if names is None or tuple(names) != COLUMNS:
        raise ServicePriceTableError(f"{path}: expected columns {','.join(COLUMNS)}, got {names}")
    figures: dict[tuple[str, str], ServicePrice] = {}
    for number, row in enumerate(reader, start=2):
        if len(row) != len(COLUMNS):
            raise ServicePriceTableError(f"{path}: data row {number} has {len(row)} fields")
        region, key, unit, usd, source, date = row
        try:
            value = float(usd)
        except ValueError:
            raise ServicePriceTableError(
                f"{path}: data row {number}: {usd!r} is not a number"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ServicePriceTableError(f"{path}: data row {number}: {usd!r} is not a price")
        if (region, key) in figures:
            raise ServicePriceTableError(f"{path}: data row {number}: {key} twice for {region}")
        figures[(region, key)] = ServicePrice(region, key, unit, value, source, date)
    return ServicePrices(figures)
