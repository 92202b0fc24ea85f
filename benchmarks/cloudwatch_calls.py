"""GetMetricData calls the CloudWatch collector makes for a large fleet, against the lower bound.

Fleet: 10,000 series x 14 days at a 300 s period (4,032 points each). A fake client answers like
CloudWatch: at most 500 queries per call, at most 100,800 datapoints per page, the rest behind
`NextToken`. The lower bound is ceil(series x points / 100,800) = 400 calls.

    .venv/bin/python benchmarks/cloudwatch_calls.py [--series N] [--days D] [--period S]

Last line: `ratio: X.XX` = calls made / lower bound (1.00 is the target).
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime, timedelta

from optimizers.telemetry.cloudwatch import (
    MAX_DATAPOINTS_PER_PAGE,
    MAX_QUERIES_PER_CALL,
    MetricRequest,
    fetch,
    plan_calls,
)
from optimizers.telemetry.frame import Metric, SeriesKey
from optimizers.telemetry.series_builder import SeriesBuilder


class PagingCloudWatch:
    """Answers get_metric_data like CloudWatch pages it: the datapoints of all queries, in query
    order, cut into pages of `page_points` with a NextToken. With `include_data` False the pages
    carry no values (the count of calls is what is measured, not Python's speed at 40M floats)."""

    def __init__(self, page_points: int = MAX_DATAPOINTS_PER_PAGE, include_data: bool = True):
        self.page_points = page_points
        self.include_data = include_data
        self.calls = 0
        self.datapoints = 0

    def get_metric_data(self, **params):
        self.calls += 1
        queries = params["MetricDataQueries"]
        if len(queries) > MAX_QUERIES_PER_CALL:
            raise ValueError(f"ValidationError: {len(queries)} queries > {MAX_QUERIES_PER_CALL}")
        if params.get("MaxDatapoints", MAX_DATAPOINTS_PER_PAGE) > MAX_DATAPOINTS_PER_PAGE:
            raise ValueError("ValidationError: MaxDatapoints above 100,800")
        start, end = params["StartTime"], params["EndTime"]
        offset = int(params.get("NextToken") or 0)
        stop = offset + self.page_points
        results, first = [], 0  # `first`: index of this query's first point in the whole answer
        for query in queries:
            period = query["MetricStat"]["Period"]
            points = int((end - start).total_seconds()) // period
            lo, hi = max(offset, first), min(stop, first + points)
            stamps, values = [], []
            if self.include_data and lo < hi:
                dims = query["MetricStat"]["Metric"]["Dimensions"]
                seed = sum(map(ord, dims[0]["Value"])) % 50 if dims else 0
                for i in range(lo - first, hi - first):
                    stamps.append(start + timedelta(seconds=i * period))
                    values.append(float((seed + i) % 100))
            self.datapoints += max(0, hi - lo)
            results.append(
                {
                    "Id": query["Id"],
                    "Label": query["Id"],
                    "Timestamps": stamps,
                    "Values": values,
                    "StatusCode": "Complete",
                }
            )
            first += points
        response = {"MetricDataResults": results, "Messages": []}
        if stop < first:
            response["NextToken"] = str(stop)
        return response


def fleet(series: int) -> list[MetricRequest]:
    return [
        MetricRequest(
            SeriesKey(f"i-{n:017x}", Metric.CPU_UTIL_PCT),
            "AWS/EC2",
            "CPUUtilization",
            (("InstanceId", f"i-{n:017x}"),),
            "Average",
        )
        for n in range(series)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--period", type=int, default=300)
    args = parser.parse_args()

    end = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    start = end - int(args.days * 86_400) // args.period * args.period
    points = (end - start) // args.period
    bound = math.ceil(args.series * points / MAX_DATAPOINTS_PER_PAGE)

    started = time.perf_counter()
    calls = plan_calls(fleet(args.series), start, end, args.period)
    client = PagingCloudWatch(include_data=False)
    pages, _ = fetch(client, calls, SeriesBuilder())
    elapsed = time.perf_counter() - started

    print(f"fleet: {args.series} series x {points} points ({args.days:g} d at {args.period} s)")
    print(f"planned calls: {len(calls)}, series per call: {len(calls[0].requests)}")
    print(f"GetMetricData requests incl. NextToken pages: {client.calls} (pages seen {pages})")
    print(f"datapoints answered: {client.datapoints} of {args.series * points}")
    print(f"naive one-series-per-call: {args.series} calls")
    print(f"lower bound ceil(series x points / 100,800): {bound}")
    print(f"planning + fetching with the fake: {elapsed:.2f} s")
    print(f"ratio: {client.calls / bound:.2f}")


if __name__ == "__main__":
    main()
