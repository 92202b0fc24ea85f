"""`aeon catalog`: the instance catalog and the price table behind recommendations."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, app, format_option, under_cwd
from aeon.errors import UserError

catalog_app = typer.Typer(
    help="Instance specs (DescribeInstanceTypes) and the price table (optimizers/prices.csv).",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")


class ShowFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class RefreshFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@catalog_app.command("refresh")
def refresh(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the table here (default: optimizers/prices.csv)."),
    ] = None,
    instance_types: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only these instance types (repeat; default: the table's)."),
    ] = None,
    regions: Annotated[
        list[str] | None,
        typer.Option("--region", help="Only these regions (repeat; default: the table's)."),
    ] = None,
    output: Annotated[RefreshFormat, format_option("text or json.")] = RefreshFormat.TEXT,
    cwd: CwdOption = None,
) -> None:
    """Rebuild the on-demand and commitment figures from the AWS Price List API (us-east-1).

    Spot figures are not in the Price List: they keep their source and date.
    """
    from optimizers import pricing

    source = pricing.PRICE_TABLE
    book = pricing.load_price_book(source)
    pairs = {(r, t) for (r, t, _) in book.figures if t != pricing.ANY_TYPE}
    if instance_types:
        pairs = {(r, t) for r, t in pairs if t in instance_types} | {
            (r, t) for t in instance_types for r in (regions or {r for r, _ in pairs})
        }
    if regions:
        pairs = {(r, t) for r, t in pairs if r in regions}
    if not pairs:
        raise UserError("nothing to refresh: no (region, instance type) pair matches the options")
    client = pricing.pricing_client()
    try:
        summary = pricing.refresh_price_book(
            book, client, pairs, progress=lambda t: typer.echo(f"price list: {t}", err=True)
        )
    except Exception as exc:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, (BotoCoreError, ClientError)):
            raise UserError(
                f"the AWS Price List API failed ({exc}); check AWS credentials and network. "
                "The price table is unchanged."
            ) from None
        raise
    target = under_cwd(out, cwd) or source
    pricing.write_price_book(book, target)
    if output is RefreshFormat.JSON:
        result = {
            "updated": summary.updated,
            "pairs": len(pairs),
            "types": summary.types,
            "not_listed": len(summary.not_listed),
            "wrote": str(target),
        }
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"refreshed {summary.updated} of {len(pairs)} (region, type) figures over "
        f"{summary.types} types; {len(summary.not_listed)} not listed (kept as they were); "
        f"wrote {target}"
    )


@catalog_app.command("show")
def show(
    region: Annotated[str, typer.Option("--region", help="Region whose offerings to list.")] = (
        "us-east-1"
    ),
    gpu_only: Annotated[bool, typer.Option("--gpu", help="Only NVIDIA GPU types.")] = False,
    family: Annotated[
        list[str] | None, typer.Option("--family", help="Only these families (repeat).")
    ] = None,
    output: Annotated[ShowFormat, format_option()] = ShowFormat.TABLE,
    cwd: CwdOption = None,
) -> None:
    """List instance types offered in a region with their specs and on-demand price."""
    under_cwd(None, cwd)  # nothing here is read from the project: --cwd is only checked
    from optimizers.catalog import from_moto_package
    from optimizers.pricing import ONDEMAND, load_price_book

    catalog = from_moto_package((region,))
    book = load_price_book()
    specs = catalog.nvidia_types(region) if gpu_only else catalog.in_region(region)
    if family:
        specs = [s for s in specs if s.family in family]
    if not specs:
        raise UserError(f"no instance types match in {region!r} (is the region name right?)")
    rows = [
        {
            "instance_type": s.instance_type,
            "vcpus": s.vcpus,
            "memory_gib": round(s.memory_gib, 2),
            "gpus": s.gpu_count,
            "gpu": s.gpu_name if s.has_gpu else None,
            "gpu_memory_gib_each": round(s.gpu_memory_gib_each, 2) if s.has_gpu else None,
            "ondemand_usd_per_hour": book.number(region, s.instance_type, ONDEMAND),
        }
        for s in specs
    ]
    typer.echo(f"catalog: {catalog.source}", err=True)
    if output is ShowFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    import sys

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{region}: {len(rows)} instance types", title_justify="left")
    for col in rows[0]:
        table.add_column(col, justify="left" if col in ("instance_type", "gpu") else "right")
    for row in rows:
        table.add_row(*("-" if v is None else str(v) for v in row.values()))
    Console(file=sys.stdout, width=160).print(table)
