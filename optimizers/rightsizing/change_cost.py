"""The price of a change: monthly cost of what runs now and of what would run, and the saving."""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.pricing import PricePaid
from optimizers.recommendation import HOURS_PER_MONTH, PriceFigure

UNPRICED_NOTE = "unpriced: a price figure it needs is missing from the price table"
COMMITTED_NOTE = (
    "committed capacity: paid until the term ends, so the saving starts only then (0 until then)"
)


@dataclass(frozen=True)
class PriceChange:
    """One price per instance before and after; None where the instance type has no price."""

    before: tuple[PricePaid | None, ...]
    after: tuple[PricePaid | None, ...]
    committed_sunk: bool = False  # the capacity that goes is committed: paid until its term ends


@dataclass(frozen=True)
class ChangeCost:
    priced: bool
    before_usd: float | None  # per month
    after_usd: float | None
    saving_usd: float | None
    notes: tuple[str, ...]
    figures: tuple[PriceFigure, ...]  # every price used, with its source
    basis: str | None  # how the current capacity is bought


def removed(price: PricePaid | None) -> PricePaid | None:
    """The price of capacity that goes away: 0, keeping the figures' basis."""
    if price is None or price.usd_per_hour is None:
        return price
    return PricePaid(0.0, price.basis, (), "removed")


def cost_of(change: PriceChange) -> ChangeCost:
    prices = change.before + change.after
    priced = all(p is not None and p.usd_per_hour is not None for p in prices)
    before = after = saving = None
    notes: list[str] = []
    if priced:
        before = round(sum(p.usd_per_hour for p in change.before) * HOURS_PER_MONTH, 2)  # type: ignore[union-attr,misc]
        after = round(sum(p.usd_per_hour for p in change.after) * HOURS_PER_MONTH, 2)  # type: ignore[union-attr,misc]
        if change.committed_sunk and after < before:
            notes.append(COMMITTED_NOTE)  # no marginal saving before the term ends
            after = before
        saving = round(before - after, 2)
    else:
        notes.append(UNPRICED_NOTE)
    figures = dict.fromkeys(f for p in prices if p is not None for f in p.figures)
    first = change.before[0] if change.before else None
    basis = first.basis if first is not None else None
    return ChangeCost(priced, before, after, saving, tuple(notes), tuple(figures), basis)
