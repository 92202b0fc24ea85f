"""`aeon cost-report`: an export's cost by one dimension, with savings captured and missed."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, app, format_option


class CostReportFormat(StrEnum):
    TABLE = "table"
    MD = "md"
    HTML = "html"
    JSON = "json"


@app.command("cost-report")
def cost_report(
    billing: Annotated[
        Path,
        typer.Option(
            "--billing",
            help="FOCUS 1.0/1.1 or CUR export: a CSV, CSV.gz or Parquet file, or a "
            "folder of export parts.",
        ),
    ],  # fmt: skip
    by: Annotated[
        str,
        typer.Option("--by", help="service, region, pool (tag aeon:pool), purchase or tag:KEY."),
    ] = "service",
    rates: Annotated[
        Path | None,
        typer.Option("--rates", help="Commitment rates CSV (docs/billing.md); default: estimates."),
    ] = None,
    output: Annotated[CostReportFormat, format_option("table, md, html (charts) or json.")] = (
        CostReportFormat.TABLE
    ),
    cwd: CwdOption = None,
) -> None:
    """Cost by service, region, pool, purchase option or tag; effective vs list price; savings
    captured by commitments and spot; missed savings; top movers week on week."""
    from aeon.errors import UserError
    from aeon.output import cost_report as render
    from optimizers.billing.cost_report import build_cost_report
    from optimizers.billing.errors import BillingInputError
    from optimizers.billing.local import LocalBilling
    from optimizers.commitments.rates import RatesInputError, load_rates
    from optimizers.pricing import load_price_book

    base = cwd or Path.cwd()
    path = billing if billing.is_absolute() else base / billing
    try:
        loaded = (
            None if rates is None else load_rates(rates if rates.is_absolute() else base / rates)
        )
        report = build_cost_report(LocalBilling(path), by, book=load_price_book(), rates=loaded)
    except (BillingInputError, RatesInputError) as exc:
        raise UserError(str(exc)) from None
    if output is CostReportFormat.JSON:
        typer.echo(json.dumps(render.to_jsonable(report), indent=2))
    elif output is CostReportFormat.HTML:
        typer.echo(render.render_html(report), nl=False)
    elif output is CostReportFormat.MD:
        typer.echo(render.render_md(report), nl=False)
    else:
        typer.echo(render.render_table(report), nl=False)
