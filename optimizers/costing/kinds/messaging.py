"""CloudWatch alarms, KMS keys, SQS queues and SNS topics.

Alarms as infracost prices them: per alarm metric (each metric of a metric-math alarm),
standard resolution when the period is 60 s or more, else high resolution; anomaly detection
alarms count three metrics. Queues and topics are usage-based: requests billed in 64 KB chunks.
"""

from __future__ import annotations

import math

from optimizers.costing.quote import Quote
from optimizers.costing.registry import priced
from optimizers.costing.usage import NUMBER, WHOLE

ANOMALY_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
CHUNK_KB = 64.0


@priced("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(q: Quote) -> None:
    r = q.resource
    queries = r.get("metricQueries", default=[]) or []
    if queries:
        metrics = [m for m in queries if isinstance(m, dict) and m.get("metric")]
        periods = [m["metric"].get("period") for m in metrics if m["metric"].get("period")]
        count, period = float(len(metrics)), (periods[0] if periods else 60)
    else:
        count, period = 1.0, r.get("period", default=60)
    anomaly = r.get("comparisonOperator") in ANOMALY_OPERATORS
    if anomaly:
        count *= 3
    resolution = "standard" if period >= 60 else "high_resolution"
    label = f"{resolution.replace('_', ' ').capitalize()} alarm" + (
        " (anomaly detection)" if anomaly else ""
    )
    q.service(label, f"cloudwatch.alarm.{resolution}", count, "alarm metrics")


@priced("aws:kms/key:Key", usage={"monthly_requests": WHOLE})
def kms_key(q: Quote) -> None:
    q.service("Customer managed key", "kms.key", 1.0, "months")
    q.service("Requests (symmetric)", "kms.requests.symmetric", q.usage.number("monthly_requests"),
              "10k requests", per=1e4, usage_based=True)  # fmt: skip


def _billed_requests(q: Quote) -> float:
    chunks = math.ceil(q.usage.number("request_size_kb", CHUNK_KB) / CHUNK_KB) or 1
    return q.usage.number("monthly_requests") * chunks


@priced("aws:sqs/queue:Queue", usage={"monthly_requests": WHOLE, "request_size_kb": NUMBER})
def sqs_queue(q: Quote) -> None:
    kind = "fifo" if q.resource.get("fifoQueue") is True else "standard"
    q.service(f"Requests ({kind})", f"sqs.{kind}.requests", _billed_requests(q), "1M requests",
              per=1e6, usage_based=True)  # fmt: skip


SNS_USAGE = {
    "monthly_requests": WHOLE,
    "request_size_kb": NUMBER,
    "http_subscriptions": WHOLE,
    "email_subscriptions": WHOLE,
}


@priced("aws:sns/topic:Topic", usage=SNS_USAGE)
def sns_topic(q: Quote) -> None:
    if q.resource.get("fifoTopic") is True:
        q.note = "FIFO topic priced as standard: FIFO throughput pricing is not modelled"
        q.warn(q.note)
    requests = _billed_requests(q)
    q.service("API requests", "sns.requests", requests, "1M requests", per=1e6, usage_based=True)
    published = q.usage.number("monthly_requests")
    for key, kind in (("http_subscriptions", "http"), ("email_subscriptions", "email")):
        q.service(f"{kind.upper()} notifications", f"sns.notifications.{kind}",
                  published * q.usage.number(key), "100k notifications", per=1e5)  # fmt: skip
