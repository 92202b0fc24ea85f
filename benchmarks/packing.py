"""Share packing at fleet scale: our packer against first-fit decreasing, in the same run.

A synthetic fleet of 2,000 one-GPU serving pods on p5.4xlarge, 1-minute series over 7 days,
built from the phases measured on a real H200 (optimizers/h200_fleet.py; the raw traces in
--data, default ../shared/data/gpu-h200). The pool is an inference pool the stack does not
declare: the default latency target (100 ms, service time 10 ms) applies. Prints the GPUs used
by first-fit decreasing, by our packer and the lower bound, the wall time of each, and
`ratio: X.XX` (our GPUs / FFD's; target <= 1.00, in under 60 s).

    .venv/bin/python benchmarks/packing.py [--pods 2000] [--days 7] [--budget 45]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from components.facts.roles import PoolRole
from optimizers.catalog import from_moto_package
from optimizers.h200_fleet import FleetShape, Phases, shared_traces, synthesize
from optimizers.rightsizing import get_policy
from optimizers.rightsizing.latency import default_service_ms
from optimizers.rightsizing.measure import measure
from optimizers.rightsizing.packing import ffd_order, first_fit_decreasing, pack_one_type
from optimizers.rightsizing.packing_state import Fitter
from optimizers.rightsizing.sharing import Member, ShareRules, align, check

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_traces(REPO / "pyproject.toml"))
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--budget", type=float, default=45.0, help="packer time budget, s")
    parser.add_argument("--min-gib", type=float, default=8.0, help="smallest serving model")
    parser.add_argument("--max-gib", type=float, default=30.0, help="largest serving model")
    args = parser.parse_args()
    if not (args.data / "gpm_workloads.csv").is_file():
        print(f"no gpm_workloads.csv under {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    started = time.perf_counter()
    shape = FleetShape(
        pods=args.pods, hot=args.pods // 20, idle=0, hours=24 * args.days,
        role=PoolRole.INFERENCE, serving_gib=(args.min_gib, args.max_gib),
    )  # fmt: skip
    frame = synthesize(Phases.from_traces(args.data), shape)
    end = frame.newest_timestamp() or 0
    lookback = int(args.days * 86_400)
    policy = get_policy("ours")
    needs = measure(frame, policy, end - lookback, end)
    host = from_moto_package(("us-east-1",)).get(shape.instance_type)
    members = [Member(rid, host, needs[rid]) for rid in sorted(needs)]  # type: ignore[arg-type]
    align(members, end - lookback, end)
    rules = ShareRules(policy, 4, TARGET_MS, default_service_ms(TARGET_MS))
    points = len(members[0].busy_row)
    print(
        f"fleet: {len(members)} one-GPU pods on {shape.instance_type}, {points} one-minute points "
        f"each ({time.perf_counter() - started:.1f} s to build and measure)"
    )

    t0 = time.perf_counter()
    fitter = Fitter(members, host, rules)  # type: ignore[arg-type]
    ffd = first_fit_decreasing(fitter, ffd_order(fitter))
    ffd_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = pack_one_type(members, host, rules, time.monotonic() + args.budget)  # type: ignore[arg-type]
    ours_s = time.perf_counter() - t0
    bad = [g for g in result.groups if len(g.members) > 1 and not check(g.members, host, rules).ok]  # type: ignore[arg-type]
    shared = sum(len(g.members) for g in result.groups if len(g.members) > 1)
    print(f"first-fit decreasing: {len(ffd)} GPUs in {ffd_s:.1f} s")
    print(
        f"ours ({result.method}): {result.hosts} GPUs in {ours_s:.1f} s (FFD included); "
        f"{shared} pods share; groups failing check: {len(bad)}"
    )
    print(f"lower bound: {result.bound.describe()}")
    print(f"ratio: {result.hosts / len(ffd):.2f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
