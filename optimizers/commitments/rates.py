"""Commitment rates: from the user's `--rates FILE`, else estimated from the price table.

`--rates` is a CSV with the header `type,instance_type,region,term,payment,usd_per_hour`:
`type` reserved-instance | instance-savings-plan | compute-savings-plan, `term` 1y | 3y, `payment`
no-upfront | partial-upfront | all-upfront, and `usd_per_hour` the effective hourly rate of one
instance of that type (any upfront payment spread evenly over the term's hours). Copy them from the
AWS Price List (Reserved terms) or the Savings Plans rates of your account.

Without it, the estimates (labelled as such in every recommendation) are: reserved instances and
EC2 Instance Savings Plans at the price table's standard no-upfront reserved-instance discount of
the region (AWS prices Instance Savings Plans like standard reserved instances), and Compute
Savings Plans at the convertible reserved-instance discount that AWS matches them to (figures and
sources in docs/billing.md). Only no-upfront options are estimated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from components.facts.files import UnreadableFile, csv_records
from optimizers.errors import InputError
from optimizers.pricing import ANY_TYPE, COMMIT_1Y, COMMIT_3Y, PriceBook

CommitmentType = Literal["reserved-instance", "instance-savings-plan", "compute-savings-plan"]
Term = Literal["1y", "3y"]
Payment = Literal["no-upfront", "partial-upfront", "all-upfront"]
TYPES: tuple[CommitmentType, ...] = (
    "reserved-instance",
    "instance-savings-plan",
    "compute-savings-plan",
)
TERMS: tuple[Term, ...] = ("1y", "3y")
PAYMENTS: tuple[Payment, ...] = ("no-upfront", "partial-upfront", "all-upfront")
COLUMNS = ("type", "instance_type", "region", "term", "payment", "usd_per_hour")

# Compute Savings Plans are priced like convertible reserved instances (AWS Savings Plans FAQ:
# "up to 66%", as convertible RIs); no-upfront convertible discounts of the price table's
# reserved-instance sample (ec2instances.info, 2024-04-04). See docs/billing.md.
COMPUTE_SP_ESTIMATE_PCT: dict[Term, float] = {"1y": 26.08, "3y": 61.44}
COMPUTE_SP_ESTIMATE_SOURCE = "estimate: convertible RI no-upfront discount (ec2instances.info)"
FALLBACK_REGION = "us-east-1"  # whose typical commitment discount a region without one takes


class RatesInputError(InputError):
    """A `--rates` file the planner cannot use; the message names the file, line and column."""


@dataclass(frozen=True)
class CommitmentRate:
    type: CommitmentType
    instance_type: str
    region: str
    term: Term
    payment: Payment
    usd_per_hour: float  # per instance-hour of `instance_type`, upfront spread over the term
    source: str
    estimate: bool

    @property
    def order(self) -> tuple[int, int]:
        """Tie-break order: shorter term first, then less upfront."""
        return TERMS.index(self.term), PAYMENTS.index(self.payment)


def load_rates(path: Path) -> list[CommitmentRate]:
    """Every rate of a `--rates` file, or RatesInputError naming the first bad line."""
    try:
        return _parse_rates(path, csv_records(path, "rates file"))
    except UnreadableFile as exc:  # not UTF-8, not CSV, a folder...
        raise RatesInputError(f"cannot read the rates file: {exc}") from None


def _parse_rates(path: Path, records: Iterator[tuple[int, list[str]]]) -> list[CommitmentRate]:
    header = [h.strip() for h in next(records, (1, []))[1]]
    if tuple(header) != COLUMNS:
        raise RatesInputError(
            f"{path}: line 1: expected the header {','.join(COLUMNS)}, got {','.join(header)!r}"
        )
    rates: list[CommitmentRate] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for line, row in records:
        if len(row) != len(COLUMNS):
            raise RatesInputError(f"{path}: line {line}: {len(row)} fields, expected 6")
        kind, itype, region, term, payment, value = (cell.strip() for cell in row)
        for column, got, allowed in (
            ("type", kind, TYPES),
            ("term", term, TERMS),
            ("payment", payment, PAYMENTS),
        ):
            if got not in allowed:
                raise RatesInputError(
                    f"{path}: line {line}, column {column}: {got!r} is not one of "
                    f"{', '.join(allowed)}"
                )
        if not itype or not region:
            raise RatesInputError(
                f"{path}: line {line}: instance_type and region are required (a Compute Savings "
                "Plan rate too is per instance type and region)"
            )
        try:
            usd = float(value)
        except ValueError:
            usd = float("nan")
        if not usd >= 0 or usd == float("inf"):
            raise RatesInputError(
                f"{path}: line {line}, column usd_per_hour: {value!r} is not a price in USD"
            )
        key = (kind, itype, region, term, payment)
        if key in seen:
            raise RatesInputError(f"{path}: line {line}: repeats {' '.join(key)}")
        seen.add(key)
        rates.append(
            CommitmentRate(kind, itype, region, term, payment, usd, f"{path.name}:{line}", False)  # type: ignore[arg-type]
        )
    return rates


def estimated_rates(
    book: PriceBook, instance_type: str, region: str, on_demand: float
) -> list[CommitmentRate]:
    """No-upfront estimates from the price table's discounts, applied to the billed rate. A
    region the table has no discount for takes the typical one of FALLBACK_REGION, and says so:
    without it, per-type advice would vanish there while the Compute Savings Plan estimate,
    which covers every region, stayed, tilting the comparison towards the plan."""
    found: list[CommitmentRate] = []
    for term, figure in (("1y", COMMIT_1Y), ("3y", COMMIT_3Y)):
        fig = book.figure(region, instance_type, figure) or book.figure(region, ANY_TYPE, figure)
        borrowed = ""
        if fig is None or fig.number is None:
            fig = book.figure(FALLBACK_REGION, ANY_TYPE, figure)
            borrowed = f"; no figure for {region}: {FALLBACK_REGION}'s typical one"
        if fig is None or fig.number is None:
            continue
        label = (
            f"estimate: price table {figure} {fig.number:g}% ({fig.source}, {fig.date}){borrowed}"
        )
        rate = on_demand * (1 - fig.number / 100)
        for kind in ("reserved-instance", "instance-savings-plan"):
            found.append(
                CommitmentRate(kind, instance_type, region, term, "no-upfront", rate, label, True)  # type: ignore[arg-type]
            )
    for term, pct in COMPUTE_SP_ESTIMATE_PCT.items():
        found.append(
            CommitmentRate(
                "compute-savings-plan", instance_type, region, term, "no-upfront",
                on_demand * (1 - pct / 100), f"{COMPUTE_SP_ESTIMATE_SOURCE} {pct:g}%", True,
            )
        )  # fmt: skip
    return found


def rates_for(
    rates: list[CommitmentRate] | None,
    book: PriceBook | None,
    instance_type: str,
    region: str,
    on_demand: float,
) -> list[CommitmentRate]:
    """The user's rates of this type and region when a file was given, else the estimates."""
    if rates is not None:
        return [r for r in rates if r.instance_type == instance_type and r.region == region]
    return [] if book is None else estimated_rates(book, instance_type, region, on_demand)
