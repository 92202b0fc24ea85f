"""Billing inputs: hourly instance usage from a FOCUS or CUR export, and commitment rates.

The export is read where it lives: a local file, folder or glob with DuckDB (`--billing`), or a
Glue table with Amazon Athena (`--athena-database/--athena-table/--athena-output`), through the
same SQL (optimizers.billing). Without `--lookback` the window is the whole span of the data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from optimizers.billing.usage import HourlyUsage, read_hourly_usage
from optimizers.commitments.rates import CommitmentRate, load_rates
from optimizers.errors import InputError
from optimizers.options import Options
from optimizers.planners.common_inputs import LOOKBACK_DESCRIPTION, PRICES
from optimizers.planners.inputs import InputKey, InputLoader, LoadContext, register_loader
from optimizers.telemetry import parse_duration

BILLING: InputKey[HourlyUsage] = InputKey(
    "billing", "hourly instance usage from a FOCUS or CUR export (local, or on Athena)"
)
HOUR_S = 3_600


class BillingOptions(Options):
    billing: Path | None = Field(
        None,
        description="FOCUS 1.0/1.1 or CUR export: a CSV, CSV.gz or Parquet file, a folder of "
        "export parts, or a glob.",
    )
    athena_database: str | None = Field(
        None, description="Glue database of a FOCUS/CUR table queried with Amazon Athena."
    )
    athena_table: str | None = Field(None, description="That table (with --athena-database).")
    athena_output: str | None = Field(
        None, description="S3 location for Athena's query results (s3://bucket/prefix/)."
    )
    athena_workgroup: str | None = Field(None, description="Athena workgroup (default: primary).")
    athena_region: str | None = Field(
        None, description="Region of the Athena table (default: the stack's primary region)."
    )
    lookback: str | None = Field(None, description=LOOKBACK_DESCRIPTION)

    @field_validator("lookback")
    @classmethod
    def _whole_hours(cls, value: str | None) -> str | None:
        if value is not None and parse_duration(value) < HOUR_S:
            raise ValueError(f"{value!r}: billing rows are hourly; use at least 1h")
        return value

    @model_validator(mode="after")
    def _one_export(self) -> BillingOptions:
        athena = {
            "--athena-database": self.athena_database,
            "--athena-table": self.athena_table,
            "--athena-output": self.athena_output,
        }
        given = [flag for flag, value in athena.items() if value]
        if self.billing is not None and (given or self.athena_workgroup or self.athena_region):
            raise ValueError("pass --billing FILE or the --athena-* flags, not both")
        if given and len(given) < len(athena):
            missing = [flag for flag in athena if flag not in given]
            raise ValueError(f"Athena needs {', '.join(missing)} too")
        return self

    @property
    def given(self) -> bool:
        return self.billing is not None or bool(self.athena_database)

    @property
    def lookback_s(self) -> int | None:
        return None if self.lookback is None else parse_duration(self.lookback)


def athena_client(region: str) -> Any:
    """A boto3 Athena client (tests replace this function with a stubbed client)."""
    import boto3

    return boto3.client("athena", region_name=region)


def open_billing(context: LoadContext, options: BillingOptions) -> Any:
    """The export as a billing source (optimizers.billing): DuckDB here, or Athena."""
    from optimizers.billing.athena import AthenaBilling
    from optimizers.billing.local import LocalBilling

    if options.billing is not None:
        return LocalBilling(options.billing)
    if options.athena_database:
        region = options.athena_region or context.settings.primary_region.name
        return AthenaBilling(
            athena_client(region), database=options.athena_database,
            table=str(options.athena_table), output=str(options.athena_output),
            workgroup=options.athena_workgroup,
        )  # fmt: skip
    raise InputError(
        "pass --billing FILE (a FOCUS or CUR export) or --athena-database DB --athena-table T "
        "--athena-output s3://BUCKET/PREFIX/"
    )


def read_billing(
    context: LoadContext, options: BillingOptions, *, tag: str | None = None
) -> HourlyUsage:
    """The window's hourly usage (per value of resource tag `tag` when given), with one line
    on stderr saying what was read."""
    source = open_billing(context, options)
    usage = read_hourly_usage(
        source, book=context.loaded.get(PRICES), lookback_s=options.lookback_s, by_tag=tag
    )
    start = usage.window_start.strftime("%Y-%m-%d %H:%M")
    line = (
        f"billing: {usage.format} {source.label}: {usage.hours} h from {start} UTC, "
        f"{len({(s.instance_type, s.region) for s in usage.series})} instance type x region"
    )
    if usage.unknown.rows:
        line += f"; {usage.unknown.rows} instance row(s) without a type left out"
    context.say(line)
    return usage


def usage_fingerprint(usage: HourlyUsage) -> str:
    digest = hashlib.sha256(f"{usage.format}|{usage.window_start}|{usage.hours}".encode())
    for s in usage.series:
        digest.update(f"{s.instance_type}|{s.region}|{s.tag}|{s.on_demand_rate}".encode())
        for values in (s.on_demand, s.committed, s.spot):
            digest.update(values.astype("<f8").tobytes())
    return "sha256:" + digest.hexdigest()


@register_loader
class BillingLoader(InputLoader[HourlyUsage]):
    key = BILLING
    Options = BillingOptions
    after = (PRICES,)  # types rows by price, and prices series whose rows carry no rate

    def load(
        self, context: LoadContext, options: BillingOptions, nested: Mapping[str, Any]
    ) -> HourlyUsage:
        return read_billing(context, options)

    def fingerprint(self, value: HourlyUsage) -> str:
        return usage_fingerprint(value)

    def origin(self, value: HourlyUsage) -> str:
        return value.format


@dataclass(frozen=True)
class Rates:
    """The user's commitment rates, or None: the price table's estimates."""

    rates: list[CommitmentRate] | None
    source: str


RATES: InputKey[Rates] = InputKey("rates", "commitment rates (--rates FILE, else estimates)")


class RatesOptions(Options):
    rates: Path | None = Field(
        None,
        description="Commitment rates CSV: type,instance_type,region,term,payment,usd_per_hour "
        "(docs/billing.md); default: the price table's estimates.",
    )


@register_loader
class RatesLoader(InputLoader[Rates]):
    key = RATES
    Options = RatesOptions

    def load(self, context: LoadContext, options: RatesOptions, nested: Mapping[str, Any]) -> Rates:
        if options.rates is None:
            return Rates(None, "price table estimates")
        return Rates(load_rates(options.rates), str(options.rates))

    def fingerprint(self, value: Rates) -> str:
        if value.rates is None:
            return value.source
        return repr([(r.type, r.instance_type, r.region, r.term, r.payment, r.usd_per_hour)
                     for r in value.rates])  # fmt: skip

    def origin(self, value: Rates) -> str:
        return value.source
