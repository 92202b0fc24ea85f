"""Commitment planning at scale: a year of hourly usage for 1,000 (type, region) series.

Reads a generated FOCUS export with DuckDB (`read_hourly_usage`), plans every series and the
Compute Savings Plan (`plan_commitments`, price-table estimates), and checks the chosen per-type
commitments against a brute-force scan of every integer level on a subsample. Prints wall times and
`ratio: X.XX` (chosen cost / brute-force cost over the subsample; must be 1.00, to the cent).

    .venv/bin/python benchmarks/commitments.py [--series 1000] [--hours 8760] [--sample 25]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
from billing_data import write_focus

from optimizers.billing.local import LocalBilling
from optimizers.billing.usage import read_hourly_usage
from optimizers.commitments import plan_commitments
from optimizers.commitments.curve import cents, window_cost
from optimizers.pricing import load_price_book


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--sample", type=int, default=25)
    args = parser.parse_args()
    book = load_price_book()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "focus.parquet"
        rows = write_focus(path, args.series, args.hours)
        start = time.perf_counter()
        usage = read_hourly_usage(LocalBilling(path), book=book)
        read_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = plan_commitments(usage, book=book)
    plan_s = time.perf_counter() - start
    print(f"{rows:,} rows -> {len(usage.series)} series x {usage.hours} h")
    print(f"read (DuckDB) {read_s:.2f} s, plan {plan_s:.2f} s")
    rng = np.random.default_rng(0)
    picked = rng.choice(len(plan.series), size=min(args.sample, len(plan.series)), replace=False)
    chosen = brute = 0.0
    for i in picked:
        p, s = plan.series[i], usage.series[i]
        if p.best is None:
            continue
        rate, od, demand = p.best.rate.usd_per_hour, s.on_demand_rate, s.on_demand
        levels = range(0, math.ceil(demand.max()) + 1)
        brute += min(cents(window_cost(demand, c, rate, od)) for c in levels)
        chosen += cents(window_cost(demand, p.best.units, rate, od))
    print(f"brute force over {len(picked)} series: chosen ${chosen:,.2f} vs best ${brute:,.2f}")
    print(f"over the window: per-type ${plan.per_type_cost_usd:,.2f}, per-type then a compute "
          f"savings plan ${plan.layered_cost_usd:,.2f}, the plan alone "
          f"${plan.plan_alone_cost_usd:,.2f}; chosen: {plan.portfolio}")  # fmt: skip
    print(f"ratio: {chosen / brute if brute else 1.0:.2f}")


if __name__ == "__main__":
    main()
