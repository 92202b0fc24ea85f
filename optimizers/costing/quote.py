"""Pricing one resource: the prices it may use, and the lines and gaps it collects.

A kind's pricer receives a `Quote` and adds lines with `service()` (the service price table)
or `ec2_hours()` (the EC2 price table). A price the tables lack is recorded as missing, never
guessed: the resource then goes to `unpriced` with every missing figure named. A structural gap
(an instance type unknown at preview, host tenancy) raises `Unpriceable`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from optimizers.costing.graph import PlannedResource, StackGraph
from optimizers.costing.model import CostLine
from optimizers.costing.usage import Usage
from optimizers.pricing import (
    COMMIT_1Y,
    COMMIT_3Y,
    ONDEMAND,
    PRICE_TABLE,
    SPOT_AVG,
    SPOT_SAVING,
    PriceBook,
    load_price_book,
)
from optimizers.service_prices import ServicePrices, load_service_prices


class Unpriceable(Exception):
    """The resource cannot be priced from what the plan says (the message says why)."""


@dataclass(frozen=True)
class PriceSources:
    ec2: PriceBook
    services: ServicePrices
    on: date  # the price date: decides EKS standard vs extended support


def default_sources(on: date) -> PriceSources:
    return PriceSources(load_price_book(), load_service_prices(), on)


@dataclass
class Quote:
    resource: PlannedResource
    graph: StackGraph
    usage: Usage
    sources: PriceSources
    commitments: Mapping[str, float]  # pool name -> committed capacity units (stack settings)
    lines: list[CostLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def region(self) -> str:
        return self.resource.region or ""

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def service(
        self,
        component: str,
        key: str,
        quantity: float,
        unit: str,
        *,
        per: float = 1.0,
        usage_based: bool = False,
        region: str | None = None,
    ) -> None:
        """A line priced from the service table: `quantity / per` units of `unit` at `key`.

        A zero quantity needs no price (it costs 0 either way); it is kept only when usage-based,
        to say the cost depends on usage the file does not give.
        """
        self._check_amount(component, quantity)
        region = region or self.region
        figure = self.sources.services.get(region, key)
        if figure is not None and figure.unit != unit:
            raise ValueError(f"price {key} is per {figure.unit!r}; the model expects {unit!r}")
        amount = quantity / per
        price = f"{region}/{key}"
        if not amount:
            if usage_based:
                usd = None if figure is None else figure.usd
                self.lines.append(CostLine(component, unit, 0.0, usd, price, usage_based=True))
            return
        if figure is None:
            self.missing.append(f"no price {key!r} for {region}")
            return
        self.lines.append(
            CostLine(component, unit, amount, figure.usd, price, usage_based=usage_based)
        )

    def ec2_hours(self, component: str, instance_type: str, purchase: str, hours: float) -> None:
        """Instance-hours from the EC2 price table. purchase: on-demand | spot | committed |
        reserved-1y | reserved-3y (standard, no upfront)."""
        self._check_amount(component, hours)
        if not hours:
            return
        usd, source, estimate = self._ec2_rate(instance_type, purchase)
        if usd is None:
            self.missing.append(source)
            return
        line = CostLine(component, "hours", hours, usd, source, estimate=estimate)
        self.lines.append(line)

    @staticmethod
    def _check_amount(component: str, quantity: float) -> None:
        if not math.isfinite(quantity) or quantity < 0:
            raise Unpriceable(f"{component}: {quantity:g} is no amount AWS would accept")

    def _ec2_rate(self, itype: str, purchase: str) -> tuple[float | None, str, bool]:
        book, region = self.sources.ec2, self.region

        def missing(figure: str) -> tuple[None, str, bool]:
            return None, f"no {figure} for {itype} in {region} ({PRICE_TABLE.name})", False

        ondemand = book.number(region, itype, ONDEMAND)
        if purchase == "spot":
            average = book.number(region, itype, SPOT_AVG)
            if average is not None:
                return average, f"{PRICE_TABLE.name}: {region}/{itype}/{SPOT_AVG}", False
            saving = book.number(region, itype, SPOT_SAVING)
            if ondemand is None or saving is None:
                return missing(f"{SPOT_AVG} (nor {ONDEMAND} and {SPOT_SAVING})")
            source = f"{PRICE_TABLE.name}: {region}/{itype}/{ONDEMAND} less {saving:g}% saving"
            return ondemand * (1 - saving / 100), source, True
        if ondemand is None:
            return missing(ONDEMAND)
        if purchase == "on-demand":
            return ondemand, f"{PRICE_TABLE.name}: {region}/{itype}/{ONDEMAND}", False
        figure = COMMIT_3Y if purchase == "reserved-3y" else COMMIT_1Y
        for key in (itype, "*"):
            discount = book.number(region, key, figure)
            if discount is not None:
                source = f"{PRICE_TABLE.name}: {region}/{itype}/{ONDEMAND} less {key}/{figure}"
                return ondemand * (1 - discount / 100), source, False
        return missing(figure)
