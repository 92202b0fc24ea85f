"""Small billing exports for the tests, shaped like real ones.

FOCUS rows carry the 44 columns of the FOCUS 1.0 sample in ../shared/data/focus/ in its order,
with SQL's NULL written as the text NULL (as the sample does) and quoted values; CUR rows carry
legacy `lineItem/...` headers or CUR 2.0 snake_case names.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FOCUS_COLUMNS = (
    "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,"
    "BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,"
    "ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,"
    "CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,CommitmentDiscountType,"
    "ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,EffectiveCost,"
    "InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,"
    "ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,"
    "ServiceCategory,Id,ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags"
).split(",")
EC2 = "Amazon Elastic Compute Cloud"
START = datetime(2024, 9, 1)


def ts(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")


def focus_row(
    hour: int,
    itype: str | None,
    quantity: float,
    rate: float,
    *,
    region: str = "us-east-1",
    purchase: str = "Standard",
    service: str = EC2,
    unit: str = "Hours",
    description: str | None = None,
    sku: str = "SKU",
    usage_type: str | None = None,
    tags: str | None = '{"aeon:pool": "inference", "environment": "prod"}',
    effective: float | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """One hourly row; `itype` None leaves the type out of the description."""
    if description is None:
        description = (
            f"${rate} per On Demand Linux {itype} Instance Hour" if itype else "Usage of something"
        )
    committed = purchase == "Committed"
    row: dict[str, Any] = {c: "NULL" for c in FOCUS_COLUMNS}
    row.update(
        AvailabilityZone=f"{region}a",
        BilledCost=f"{quantity * rate:.11f}",
        BillingAccountId="1234567890123",
        BillingCurrency="USD",
        BillingPeriodStart="2024-09-01 00:00:00",
        BillingPeriodEnd="2024-10-01 00:00:00",
        ChargeCategory="Usage",
        ChargeDescription=description,
        ChargeFrequency="Usage-Based",
        ChargePeriodStart=ts(hour),
        ChargePeriodEnd=ts(hour + 1),
        ConsumedQuantity=f"{quantity:.15f}",
        ConsumedUnit=unit,
        EffectiveCost=f"{(quantity * rate * 0.6 if committed else quantity * rate) if effective is None else effective:.11f}",  # noqa: E501
        ListCost=f"{quantity * rate:.11f}",
        ListUnitPrice=f"{rate:g}",
        PricingCategory=purchase,
        PricingQuantity=f"{quantity:.11f}",
        PricingUnit=unit,
        ProviderName="AWS",
        RegionId=region,
        # rows whose type the description leaves out are not obviously instances (NAT gateways)
        ResourceId=f"i-0{hour:015x}" if itype else f"nat-0{hour:015x}",
        ResourceType="instance" if service == EC2 and itype else "NULL",
        ServiceName=service,
        SkuId=sku,
        Tags=tags if tags is not None else "NULL",
        Id=str(hour),
    )
    if committed:
        row.update(
            CommitmentDiscountId="arn:aws:savingsplans::123456789012:savingsplan/abc",
            CommitmentDiscountType="Savings Plan",
            CommitmentDiscountCategory="Spend",
            CommitmentDiscountStatus=status or "Used",
        )
    if usage_type is not None:
        row["x_UsageType"] = usage_type
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, quoting=csv.QUOTE_ALL, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def focus_columns(rows: list[dict[str, Any]]) -> list[str]:
    extra = sorted({k for r in rows for k in r} - set(FOCUS_COLUMNS))
    return FOCUS_COLUMNS + extra


LEGACY_CUR = [
    "identity/LineItemId", "lineItem/LineItemType", "lineItem/UsageStartDate",
    "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/UnblendedRate",
    "lineItem/UnblendedCost", "lineItem/LineItemDescription", "product/instanceType",
    "product/region", "product/ProductName", "product/sku", "pricing/publicOnDemandRate",
    "pricing/publicOnDemandCost", "pricing/unit", "reservation/ReservationARN",
    "reservation/EffectiveCost", "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanEffectiveCost", "resourceTags/user:aeon:pool",
]  # fmt: skip


def cur_row(
    hour: int,
    itype: str,
    amount: float,
    rate: float,
    *,
    kind: str = "Usage",
    region: str = "us-east-1",
    prefix: str = "",
    pool: str = "inference",
    product: str = "AmazonEC2",
) -> dict[str, Any]:
    """One legacy CUR line (ISO timestamps with Z, as CUR writes them)."""
    start = (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (START + timedelta(hours=hour + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    usage = f"{prefix}{'SpotUsage' if kind == 'Spot' else 'BoxUsage'}:{itype}"
    row = dict.fromkeys(LEGACY_CUR, "")
    row.update({
        "identity/LineItemId": f"id{hour}",
        "lineItem/LineItemType": "Usage" if kind == "Spot" else kind,
        "lineItem/UsageStartDate": start,
        "lineItem/UsageEndDate": end,
        "lineItem/ProductCode": product,
        "lineItem/UsageType": usage,
        "lineItem/Operation": "RunInstances",
        "lineItem/ResourceId": f"i-{hour:08x}",
        "lineItem/UsageAmount": f"{amount}",
        "lineItem/UnblendedRate": f"{rate}",
        "lineItem/UnblendedCost": f"{amount * rate}",
        "lineItem/LineItemDescription": f"${rate} per On Demand Linux {itype} Instance Hour",
        "product/instanceType": itype,
        "product/region": region,
        "product/ProductName": "Amazon Elastic Compute Cloud",
        "product/sku": f"SKU-{itype}",
        "pricing/publicOnDemandRate": f"{rate}",
        "pricing/publicOnDemandCost": f"{amount * rate}",
        "pricing/unit": "Hrs",
        "resourceTags/user:aeon:pool": pool,
    })  # fmt: skip
    if kind == "SavingsPlanCoveredUsage":
        row["savingsPlan/SavingsPlanARN"] = "arn:aws:savingsplans::1:savingsplan/x"
        row["savingsPlan/SavingsPlanEffectiveCost"] = f"{amount * rate * 0.7}"
    if kind == "DiscountedUsage":
        row["reservation/ReservationARN"] = "arn:aws:ec2:us-east-1:1:reserved-instances/x"
        row["reservation/EffectiveCost"] = f"{amount * rate * 0.6}"
    return row
