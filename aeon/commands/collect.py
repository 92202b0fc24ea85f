"""`aeon collect nvml`: record this machine's GPU telemetry (NVML/GPM) into the CSV format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aeon import interrupts
from aeon.app import CwdOption, app, format_option, under_cwd
from aeon.errors import UserError

collect_app = typer.Typer(
    help="Record telemetry from this machine into files the optimizers read (--source csv).",
    no_args_is_help=True,
)
app.add_typer(collect_app, name="collect")


@collect_app.command("nvml")
def nvml(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for metrics.csv + inventory.csv, or a .csv path for the metrics "
            "(inventory.csv goes beside it).",
        ),
    ],
    interval: Annotated[
        str, typer.Option("--interval", help="Time between samples (>= 1s).")
    ] = "1s",
    duration: Annotated[
        str | None, typer.Option("--duration", help="Stop after this long (e.g. 10m, 1h).")
    ] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", help="Stop after this many samples.")
    ] = None,
    resource_id: Annotated[
        str | None,
        typer.Option("--resource-id", help="Machine id in the inventory (default: hostname)."),
    ] = None,
    pool: Annotated[str, typer.Option("--pool", help="Pool name for the inventory.")] = "local",
    region: Annotated[str, typer.Option("--region", help="Region for the inventory.")] = "local",
    instance_type: Annotated[
        str, typer.Option("--instance-type", help="Instance type for the inventory.")
    ] = "unknown",
    purchase: Annotated[
        str, typer.Option("--purchase", help="on-demand, spot or committed.")
    ] = "on-demand",
    fmt: Annotated[str, format_option("table or json.")] = "table",
    cwd: CwdOption = None,
) -> None:
    """Sample every GPU (utilization, memory, power, GPM SM/occupancy/tensor/DRAM where supported)
    until --duration/--samples or Ctrl-C. Without a GPU driver: exit 2."""
    from optimizers.telemetry.csv_source import parse_purchase
    from optimizers.telemetry.nvml import CollectPlan, NvmlSampler, local_resource, record_to_csv
    from optimizers.telemetry.window import parse_duration

    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: `collect nvml` prints table or json")
    bought = parse_purchase(purchase)
    if bought is None:
        raise UserError(f"--purchase {purchase!r}: use on-demand, spot or committed")
    plan = CollectPlan(
        interval_s=parse_duration(interval),
        duration_s=parse_duration(duration) if duration else None,
        samples=samples,
    )
    resource = local_resource(resource_id, pool, region, instance_type, bought)
    out = under_cwd(out, cwd)
    stop = f"for {duration}" if duration else f"{samples} samples" if samples else "until Ctrl-C"
    typer.echo(f"recording GPU telemetry every {interval} {stop} into {out}", err=True)
    # Ctrl-C / SIGTERM end the recording after the sample being taken, so the files stay whole;
    # the command still exits 130 / 143 after reporting what it wrote.
    with interrupts.soft_stop() as stop_requested:
        result, metrics_path, inventory_path = record_to_csv(
            NvmlSampler(), plan, out, resource, should_stop=stop_requested, sleep=interrupts.sleep
        )
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    signum = interrupts.received()
    if result.interrupted or signum is not None:
        typer.echo("stopped by a signal; the files are complete", err=True)
    summary = {
        "metrics": str(metrics_path),
        "inventory": str(inventory_path),
        "samples": result.samples,
        "rows": result.rows,
        "gpus": result.gpus,
        "interrupted": result.interrupted or signum is not None,
    }
    if fmt == "json":
        typer.echo(json.dumps(summary, indent=2))
    else:
        typer.echo(
            f"wrote {metrics_path} ({result.samples} samples, {result.rows} rows, "
            f"{len(result.gpus)} GPU(s)) and {inventory_path}"
        )
    if signum is not None:
        raise interrupts.Interrupted(signum)
