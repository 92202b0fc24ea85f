"""Which billing format a table is, from its column names, and the columns each format needs.

Formats (docs/billing.md has the sources):
- FOCUS 1.0 / 1.1 (FinOps Foundation; AWS Data Exports writes it with `x_` provider columns);
- CUR 2.0 (AWS Data Exports, snake_case columns such as `line_item_usage_amount`);
- legacy CUR (`lineItem/UsageAmount`...). Its columns are renamed to the snake_case names AWS's own
  Athena integration gives them (`lineItem/UsageAmount` -> `line_item_usage_amount`,
  `savingsPlan/SavingsPlanARN` -> `savings_plan_savings_plan_a_r_n`), so one SQL file serves both
  CURs, locally and on Athena.
Optional columns a file lacks are added as NULLs, so the SQL can name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class BillingFormat(StrEnum):
    FOCUS_1_0 = "focus-1.0"
    FOCUS_1_1 = "focus-1.1"
    CUR_LEGACY = "cur-legacy"
    CUR_2 = "cur-2.0"

    @property
    def is_focus(self) -> bool:
        return self in (BillingFormat.FOCUS_1_0, BillingFormat.FOCUS_1_1)

    @property
    def rows_sql(self) -> str:
        """The SQL file that maps this format's rows onto the common shape."""
        return "focus_rows.sql" if self.is_focus else "cur_rows.sql"


FOCUS_REQUIRED = (
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ServiceName",
    "RegionId",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ListUnitPrice",
    "ListCost",
    "EffectiveCost",
    "BilledCost",
)
FOCUS_OPTIONAL = (
    "ChargeDescription",
    "PricingCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountStatus",
    "SkuId",
    "ResourceId",
    "ResourceType",
    "ProviderName",
    "Tags",
    "x_UsageType",
    "x_ServiceCode",
)
# Columns that only FOCUS 1.1 defines (the specification's 1.1 additions).
FOCUS_1_1_MARKERS = (
    "ServiceSubcategory",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "CapacityReservationId",
    "SkuMeter",
    "SkuPriceDetails",
)

CUR_REQUIRED = (
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_amount",
    "line_item_unblended_cost",
)
CUR_OPTIONAL = (
    "line_item_line_item_description",
    "line_item_resource_id",
    "line_item_operation",
    "product_instance_type",
    "product_region_code",
    "product_region",
    "product_product_name",
    "product_sku",
    "pricing_unit",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
    "reservation_reservation_a_r_n",
    "reservation_effective_cost",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    # what commitments left unused: on RIFee rows (reservations), and on SavingsPlanRecurringFee
    # rows as the commitment to date less what usage took of it
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
)

NUMERIC = {
    "focus": ("ConsumedQuantity", "ListUnitPrice", "ListCost", "EffectiveCost", "BilledCost"),
    "cur": (
        "line_item_usage_amount",
        "line_item_unblended_cost",
        "pricing_public_on_demand_rate",
        "pricing_public_on_demand_cost",
        "reservation_effective_cost",
        "savings_plan_savings_plan_effective_cost",
    ),
}
TIMESTAMPS = {
    "focus": ("ChargePeriodStart", "ChargePeriodEnd"),
    "cur": ("line_item_usage_start_date", "line_item_usage_end_date"),
}


def legacy_cur_name(name: str) -> str:
    """`lineItem/UsageAmount` -> `line_item_usage_amount` (the names of AWS's CUR Athena tables)."""
    out = re.sub(r"[/:\-. ]", "_", name)
    out = re.sub(r"([A-Z])", r"_\1", out).lower()
    return re.sub(r"_+", "_", out).strip("_")


@dataclass(frozen=True)
class Layout:
    """A table's format and how its columns map onto the names the SQL files use."""

    format: BillingFormat
    names: tuple[str, ...]  # the SQL name of each column, in the table's order
    missing_optional: tuple[str, ...]

    @property
    def family(self) -> str:
        return "focus" if self.format.is_focus else "cur"


def detect(columns: Iterable[str], where: str) -> Layout:
    """The layout of a table with these columns, or BillingInputError naming what is missing."""
    from optimizers.billing.errors import BillingInputError

    cols = [c.strip() for c in columns]
    if any("/" in c for c in cols):
        names = tuple(legacy_cur_name(c) for c in cols)
        fmt = BillingFormat.CUR_LEGACY
    else:
        names = tuple(cols)
        lowered = {c.lower() for c in cols}
        if "chargeperiodstart" in lowered or "consumedquantity" in lowered:
            marks = {m.lower() for m in FOCUS_1_1_MARKERS}
            fmt = BillingFormat.FOCUS_1_1 if lowered & marks else BillingFormat.FOCUS_1_0
        elif "line_item_usage_amount" in lowered or "line_item_usage_type" in lowered:
            fmt = BillingFormat.CUR_2
        else:
            shown = ", ".join(cols[:6]) + (", ..." if len(cols) > 6 else "")
            raise BillingInputError(
                f"neither FOCUS (ChargePeriodStart, ConsumedQuantity, ...) nor a Cost and Usage "
                f"Report (lineItem/UsageAmount or line_item_usage_amount, ...); its columns are "
                f"{shown or 'none'}. Export FOCUS 1.0/1.1 or CUR from AWS Data Exports",
                path=where,
            )
    required, optional = (
        (FOCUS_REQUIRED, FOCUS_OPTIONAL) if fmt.is_focus else (CUR_REQUIRED, CUR_OPTIONAL)
    )
    present = {n.lower() for n in names}
    missing = [c for c in required if c.lower() not in present]
    if missing:
        raise BillingInputError(
            f"{fmt} export without the required column(s) {', '.join(missing)}; "
            "re-export with every standard column",
            path=where,
            column=missing[0],
        )
    lacking = tuple(c for c in optional if c.lower() not in present)
    return Layout(fmt, names, lacking)
