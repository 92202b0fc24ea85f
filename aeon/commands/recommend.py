"""`aeon recommend`: right-sizing recommendations from telemetry, saved for `aeon apply`."""

from __future__ import annotations

import hashlib
import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.errors import UserError
from aeon.settings_loader import load_settings


class SourceName(StrEnum):
    CLOUDWATCH = "cloudwatch"
    NVML = "nvml"
    PROMETHEUS = "prometheus"
    CSV = "csv"


class ModeName(StrEnum):
    OURS = "ours"
    COMPUTE_OPTIMIZER = "compute-optimizer"
    KRR = "krr"


class CatalogName(StrEnum):
    MOTO_PACKAGE = "moto-package"
    MOTO_SERVER = "moto-server"
    AWS = "aws"


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FILE_SOURCES = {SourceName.CSV}  # sources that only read recorded files


@app.command()
def recommend(
    stack: StackOption,
    source: Annotated[
        SourceName | None, typer.Option("--source", help="Where telemetry comes from.")
    ] = None,
    input_dir: Annotated[
        Path | None, typer.Option("--input", help="Folder of recorded telemetry (csv source).")
    ] = None,
    lookback: Annotated[
        str, typer.Option("--lookback", help="Window length, e.g. 14d, 6h.")
    ] = "14d",
    mode: Annotated[
        ModeName, typer.Option("--mode", help="ours (default), or a peer's parameters to compare.")
    ] = ModeName.OURS,
    headroom: Annotated[
        float | None, typer.Option("--headroom", help="Headroom in percent (default: the mode's).")
    ] = None,
    percentile: Annotated[
        float | None,
        typer.Option(
            "--percentile", help="Busy-ness percentile (compute-optimizer: 90, 95, 99.5)."
        ),
    ] = None,
    service_time_ms: Annotated[
        float | None,
        typer.Option(
            "--service-time-ms",
            help="GPU time of one request, for the latency check of shared GPUs "
            "(default: a tenth of the pool's latency target).",
        ),
    ] = None,
    catalog_source: Annotated[
        CatalogName,
        typer.Option(
            "--catalog",
            help="Instance specs: moto's packaged DescribeInstanceTypes data (fast), a moto "
            "server, or AWS.",
        ),
    ] = CatalogName.MOTO_PACKAGE,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region", help="cloudwatch: regions to read (repeat; default: the stack's)."
        ),
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", help="cloudwatch: endpoint (e.g. a moto server)."),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="prometheus: server URL.")] = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory", help="inventory.csv naming pool, type and purchase per resource."
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Seed a demo fleet and its CloudWatch telemetry into a local moto server and "
            "read it back through the cloudwatch source (no AWS account needed; a 4h window).",
        ),
    ] = False,
    output: Annotated[OutputFormat, format_option()] = OutputFormat.TABLE,
    cwd: CwdOption = None,
) -> None:
    """Right-size every resource of the telemetry; writes .aeon/recommendations/<stack>.json."""
    import contextlib

    started = time.perf_counter()
    with contextlib.ExitStack() as scope:
        if demo:
            from aeon.project import find_project
            from optimizers.demo import LOOKBACK, demo_environment, missing_pools

            if source not in (None, SourceName.CLOUDWATCH) or input_dir or endpoint_url:
                raise UserError(
                    "--demo reads its own moto server: drop --source/--input/--endpoint-url"
                )
            project = find_project(cwd)
            project.stack_file(stack)
            missing = missing_pools({p.name for p in load_settings(project, stack).pools})
            if missing:
                raise UserError(
                    f"--demo seeds prod's us-east-1 pools; stack {stack!r} has no pool "
                    f"{', '.join(missing)}: run it with --stack prod"
                )
            typer.echo("demo: starting a moto server and seeding the fleet...", err=True)
            endpoint_url = scope.enter_context(demo_environment())
            source, lookback, region = SourceName.CLOUDWATCH, LOOKBACK, region or ["us-east-1"]
        if source is None:
            raise UserError("pass --source (cloudwatch, nvml, prometheus, csv) or --demo")
        _recommend(
            stack, source, input_dir, lookback, mode, headroom, percentile, service_time_ms,
            catalog_source, region, endpoint_url, url, inventory, output, cwd,
        )  # fmt: skip
    if demo:
        typer.echo(f"demo: took {time.perf_counter() - started:.1f} s", err=True)


def _recommend(  # the body of `recommend`, run inside the demo's moto server when --demo
    stack, source, input_dir, lookback, mode, headroom, percentile, service_time_ms,
    catalog_source, region, endpoint_url, url, inventory, output, cwd,
) -> None:  # fmt: skip
    from aeon.project import find_project
    from optimizers import recommendation as model
    from optimizers.catalog import load_catalog
    from optimizers.pricing import PRICE_TABLE, load_price_book
    from optimizers.rightsizing import inputs_hash, right_size, window_end
    from optimizers.telemetry import get_source, parse_duration
    from optimizers.utilization import summarize_pools

    project = find_project(cwd)
    project.stack_file(stack)
    settings = load_settings(project, stack)
    lookback_s = parse_duration(lookback)
    if source in FILE_SOURCES and input_dir is None:
        raise UserError(f"--source {source.value} reads recorded files: pass --input DIR")
    options: dict = {"lookback_s": lookback_s}
    if input_dir is not None:
        options["input_dir"] = input_dir
    if inventory is not None:
        options["inventory"] = inventory
    if endpoint_url is not None:
        options["endpoint_url"] = endpoint_url
    if url is not None:
        options["url"] = url
    if source is SourceName.CLOUDWATCH:
        # CloudWatch is regional: one read per region of the stack (or --region), merged.
        regions_to_read = region or [r.name for r in settings.regions]
        frame = merge_frames(
            [get_source(source.value).load(region=r, **options) for r in regions_to_read]
        )
    else:
        frame = get_source(source.value).load(**options)
    for warning in frame.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not frame.resources:
        raise UserError(f"the {source.value} telemetry holds no resources: nothing to right-size")

    regions = {r.name for r in settings.regions} | {r.region for r in frame.resources.values()}
    catalog = load_catalog(catalog_source.value, regions)
    typer.echo(f"catalog: {catalog.source}", err=True)
    now = int(time.time())
    # Recorded files (csv, or nvml --input) end at their newest sample; live reads end now.
    end = window_end(frame, live=input_dir is None, now=now)
    try:
        recs = right_size(
            frame, catalog=catalog, prices=load_price_book(), end=end, lookback_s=lookback_s,
            settings=settings, mode=mode.value, headroom_pct=headroom, percentile=percentile,
            service_time_ms=service_time_ms,
        )  # fmt: skip
    except ValueError as exc:
        raise UserError(str(exc)) from None
    result = model.RecommendationSet(
        stack=stack,
        generated_at=datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
        inputs_hash=inputs_hash(
            frame,
            stack,
            mode.value,
            str(headroom),
            str(percentile),
            str(lookback_s),
            str(service_time_ms),
            settings.model_dump_json(),
            catalog.source,
            hashlib.sha256(PRICE_TABLE.read_bytes()).hexdigest(),
        ),
        mode=mode.value,
        source=frame.source,
        catalog_source=catalog.source,
        recommendations=recs,
        utilization=summarize_pools(frame, recs, end=end, lookback_s=lookback_s),
    )
    path = model.recommendations_path(project.root, stack)
    model.save(result, path)
    if output is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_table(result)
    typer.echo(f"wrote {path}", err=True)


def merge_frames(frames):
    from optimizers.telemetry import TelemetryFrame

    merged = TelemetryFrame(frames[0].source, {}, {})
    for frame in frames:
        merged.resources.update(frame.resources)
        merged.series.update(frame.series)
        merged.warnings.extend(frame.warnings)
    return merged


def print_table(result) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{result.stack}: right-sizing ({result.mode})", title_justify="left")
    for name, justify in (
        ("target", "left"), ("pool", "left"), ("region", "left"), ("kind", "left"),
        ("current", "left"), ("proposed", "left"), ("saving $/mo", "right"),
        ("confidence", "left"), ("risk", "left"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rec in result.recommendations:
        cur = f"{rec.current.count} x {rec.current.instance_type} ({rec.current.purchase})"
        prop = rec.proposed
        proposed = "-" if prop.instance_type is None else f"{prop.count} x {prop.instance_type}"
        if prop.gpu_replicas:
            proposed += f" ({prop.gpu_replicas} replicas/GPU)"
        target = rec.target if len(rec.targets) == 1 else f"{rec.target} [{', '.join(rec.targets)}]"
        saving = "unpriced" if rec.monthly_saving_usd is None else f"{rec.monthly_saving_usd:,.2f}"
        table.add_row(
            escape(target), rec.pool, rec.region, rec.kind.value, cur, proposed, saving,
            rec.confidence.value if rec.confidence else "-", rec.risk.level,
        )  # fmt: skip
    console = Console(file=sys.stdout, width=200)
    console.print(table)
    unpriced = sum(1 for r in result.recommendations if not r.priced)
    console.print(
        f"total monthly saving: ${result.monthly_saving_usd:,.2f} over "
        f"{len(result.covered_resources())} resources"
        + (f" ({unpriced} unpriced)" if unpriced else "")
    )
