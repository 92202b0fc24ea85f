"""The `batching` planner: batcher settings and replicas that meet a served model's p95 target at
its load with the fewest replicas (kind `batching`).

Inputs: the model's latency curve by batch size (`--latency-curve`, CSV or perf_analyzer's) and its
load (`--arrival-rps`, `--arrivals` replayed as recorded, or `--request-rate-url`: the p95 of the
model's Triton request rate in Prometheus over `--lookback`); the catalog and prices to price the
replicas. The engine is optimizers.batching. `--model` names one of the stack's served models
(optimizers.batching.served): the LLM (`serving.inference`, the default) runs on Triton's vLLM
backend, which batches continuously, so its proposal is `max_num_seqs` and replicas; the embedder
(`serving.embedder`) is batched by Triton, so its proposal is its batcher and replicas. Each is
written to that model's own keys. A server the stack does not declare is described by flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from components.settings import StackSettings
from optimizers.batching.arrivals import read_arrivals
from optimizers.batching.curve import LatencyCurve, read_latency_curve
from optimizers.batching.plan import BatchingPlan, ServedModel, plan_batching
from optimizers.batching.request_rate import RATE_QUERY, request_rates
from optimizers.batching.served import edge_model, stack_models
from optimizers.batching.simulation import BatcherConfig
from optimizers.catalog import Catalog
from optimizers.errors import InputError
from optimizers.options import Options
from optimizers.planners.base import Planner, register
from optimizers.planners.common_inputs import CATALOG, LOOKBACK_DESCRIPTION, PRICES
from optimizers.planners.inputs import (
    InputKey,
    InputLoader,
    LoadContext,
    PlanInputs,
    register_loader,
)
from optimizers.pricing import PriceBook
from optimizers.recommendation import HOURS_PER_MONTH, Confidence, Kind, Risk, recommendation_id
from optimizers.recommendation.batching import (
    BatchingConfig,
    BatchingEvidence,
    BatchingFigures,
    BatchingRecommendation,
    BatchingState,
    LatencyFigures,
)
from optimizers.telemetry.prometheus import PrometheusClient
from optimizers.telemetry.window import parse_duration


@dataclass(frozen=True)
class ServingLoad:
    rate_rps: float | None
    arrivals: np.ndarray | None  # seconds from the first, sorted
    source: str
    by_model: dict[str, float] | None = None  # requests/s by model name (from Prometheus)

    def rate_of(self, model: str) -> float | None:
        """The model's rate: the one given, else what Prometheus measured for it."""
        if self.by_model is None:
            return self.rate_rps
        rate = self.by_model.get(model)
        if rate is None or rate <= 0:
            seen = ", ".join(sorted(self.by_model)) or "none"
            raise InputError(
                f"{self.source} has no request rate for model {model!r} (models seen: {seen}); "
                "pass --model, or give the load with --arrival-rps"
            )
        return rate


LATENCY_CURVE: InputKey[LatencyCurve] = InputKey(
    "latency-curve", "a served model's service time by batch size"
)
SERVING_LOAD: InputKey[ServingLoad] = InputKey("serving-load", "a served model's request arrivals")
DEFAULT_RATE_LOOKBACK = "7d"  # a week of Prometheus: each day's busy hours, weekdays and weekend


class LatencyCurveOptions(Options):
    latency_curve: Path | None = Field(
        None, description="CSV with batch_size,p50_ms,p95_ms (or perf_analyzer's CSV)."
    )
    curve_where: list[str] | None = Field(
        None,
        description="COLUMN=VALUE picking one curve from a file holding several (repeat), e.g. "
        "tokens_per_request=128.",
    )


@register_loader
class LatencyCurveLoader(InputLoader[LatencyCurve]):
    key = LATENCY_CURVE
    Options = LatencyCurveOptions

    def load(self, context: LoadContext, options: LatencyCurveOptions, nested: Mapping[str, Any]):
        if options.latency_curve is None:
            raise InputError("pass --latency-curve FILE (batch_size,p50_ms,p95_ms)")
        where = {}
        for item in options.curve_where or []:
            column, sep, value = item.partition("=")
            if not sep or not column.strip():
                raise InputError(f"--curve-where {item!r}: expected COLUMN=VALUE")
            where[column.strip()] = value.strip()
        return read_latency_curve(options.latency_curve, where or None)

    def fingerprint(self, value: LatencyCurve) -> str:
        return f"{value.source}:{value.batch_sizes.tolist()}:{value.p50_ms.tolist()}"

    def origin(self, value: LatencyCurve) -> str:
        return value.source


class ServingLoadOptions(Options):
    arrival_rps: float | None = Field(
        None, gt=0, description="Requests per second (Poisson arrivals)."
    )
    arrivals: Path | None = Field(
        None, description="File of arrival timestamps in seconds, one a line (replayed as is)."
    )
    request_rate_url: str | None = Field(
        None,
        description="Prometheus URL: the load is the p95 of the model's Triton request rate "
        "(nv_inference_request_success) over --lookback (default 7d).",
    )
    lookback: str | None = Field(None, description=LOOKBACK_DESCRIPTION)

    @field_validator("lookback")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)  # ValueError names what is wrong
        return value


@register_loader
class ServingLoadLoader(InputLoader[ServingLoad]):
    key = SERVING_LOAD
    Options = ServingLoadOptions

    def load(self, context: LoadContext, options: ServingLoadOptions, nested: Mapping[str, Any]):
        given = [options.arrival_rps, options.arrivals, options.request_rate_url]
        if sum(g is not None for g in given) != 1:
            raise InputError(
                "give the load: --arrival-rps R, --arrivals FILE or --request-rate-url URL "
                "(exactly one)"
            )
        if options.request_rate_url is not None:
            lookback = options.lookback or DEFAULT_RATE_LOOKBACK
            client = PrometheusClient(options.request_rate_url)
            end = context.now
            rates = request_rates(client, end - parse_duration(lookback), end)
            where = f"Prometheus at {options.request_rate_url}"
            if not rates:
                raise InputError(
                    f"{where} has no {RATE_QUERY} series over the last {lookback}: are the "
                    "Triton servers scraped (their metrics port, a ServiceMonitor)?"
                )
            return ServingLoad(None, None, f"{where}, p95 over {lookback}", rates)
        if options.arrivals is not None:
            times = read_arrivals(options.arrivals)
            return ServingLoad(None, times, options.arrivals.name)
        return ServingLoad(options.arrival_rps, None, "poisson")

    def fingerprint(self, value: ServingLoad) -> str:
        if value.by_model is not None:
            return f"{value.source}:{sorted(value.by_model.items())}"
        if value.arrivals is None:
            return f"poisson:{value.rate_rps}"
        return f"{value.source}:{len(value.arrivals)}:{float(value.arrivals[-1])}"

    def origin(self, value: ServingLoad) -> str:
        return value.source


class BatchingOptions(Options):
    model: str | None = Field(
        None,
        description="The served model: the stack's LLM (serving.inference, the default) or its "
        "embedder (serving.embedder), by name.",
    )
    target_p95_ms: float | None = Field(
        None, gt=0, description="p95 latency target (default: the model's pool latency target)."
    )
    max_batch_size: int | None = Field(
        None, ge=1, description="Current max batch size of a server the stack does not declare."
    )
    max_queue_delay_ms: float | None = Field(
        None, ge=0, description="Current queue delay of a server the stack does not declare."
    )
    replicas: int | None = Field(
        None, ge=1, description="Current replicas of a server the stack does not declare."
    )
    engine: Literal["triton", "vllm"] = Field(
        "triton",
        description="How a server the stack does not declare batches: Triton's dynamic batcher "
        "or vLLM (max_num_seqs).",
    )
    service_column: Literal["p50", "p95"] = Field(
        "p50", description="The curve's column used as the service time of a batch."
    )


@dataclass(frozen=True)
class Target:
    model: ServedModel
    target_p95_ms: float
    pool: str | None  # the node group its replicas run on
    region: str | None
    gpus_per_replica: int


def _target(settings: StackSettings | None, options: BatchingOptions) -> Target:
    if options.max_batch_size is not None:  # a server described by flags
        if options.target_p95_ms is None:
            raise InputError("pass --target-p95-ms for a server the stack does not declare")
        delay = 0.0 if options.engine == "vllm" else (options.max_queue_delay_ms or 0.0)
        served = ServedModel(
            options.model or "model",
            options.engine,
            BatcherConfig(options.max_batch_size, delay),
            options.replicas or 1,
        )
        return Target(served, options.target_p95_ms, None, None, 1)
    models = stack_models(settings)
    name = options.model or next(iter(models), None)  # the LLM first
    model = models.get(name) if name else None
    if model is None:
        known = ", ".join(models) or "none"
        edge = (
            " (the edge model runs in every edge region, each with its own load: describe one "
            "region's server)"
            if name is not None and name == edge_model(settings)
            else ""
        )
        raise InputError(
            f"model {name!r} is not one the stack serves and this planner plans ({known}){edge}; "
            "describe it with --max-batch-size, --max-queue-delay-ms, --replicas and --engine"
        )
    assert settings is not None
    pool = next(iter(settings.node_group(model.group)), None)
    target = options.target_p95_ms or (pool.latency_target_ms if pool else None)
    if target is None:
        raise InputError(f"pool {model.group!r} has no latency_target_ms: pass --target-p95-ms")
    served = ServedModel(model.name, model.engine, model.config, model.replicas)
    return Target(
        served, target, model.group, pool.region if pool else None, model.gpus_per_replica
    )


def replica_usd_per_month(
    target: Target, settings: StackSettings | None, catalog: Catalog, prices: PriceBook
) -> tuple[float | None, str]:
    """What one replica's GPUs cost a month: its share of the node group's preferred type (a
    time-sliced GPU is shared by its time-slicing replicas)."""
    group = settings.node_group(target.pool) if settings and target.pool else []
    if not group:
        return None, "unpriced: the server is not on a pool of the stack"
    pool = group[0]
    itype = pool.instance_types[0]
    spec = catalog.get(itype)
    paid = prices.price_paid(itype, pool.region, "on-demand")
    if spec is None or not spec.gpu_count or paid.usd_per_hour is None:
        return None, f"unpriced: no on-demand price or GPU count for {itype} in {pool.region}"
    slices = pool.gpu_sharing.time_slicing_replicas if pool.gpu_sharing else 1
    share = target.gpus_per_replica / spec.gpu_count / slices
    sliced = f", a GPU time-sliced {slices} ways" if slices > 1 else ""
    return (
        paid.usd_per_hour * share * HOURS_PER_MONTH,
        f"a replica is {target.gpus_per_replica} of {itype}'s {spec.gpu_count} GPUs{sliced} at "
        f"{paid.usd_per_hour:g} USD/h on demand",
    )


@register
class Batching(Planner):
    name = "batching"
    title = "Batching"
    description = "Batcher settings and replicas meeting a served model's p95 target at its load."
    Options = BatchingOptions
    inputs = (SERVING_LOAD, LATENCY_CURVE, CATALOG, PRICES)
    kinds = frozenset({Kind.BATCHING})

    def plan(self, inputs: PlanInputs, options: BatchingOptions) -> list[BatchingRecommendation]:
        target = _target(inputs.settings, options)
        load = inputs.get(SERVING_LOAD)
        plan = plan_batching(
            inputs.get(LATENCY_CURVE), target.model, target.target_p95_ms,
            load_rps=load.rate_of(target.model.name), arrivals=load.arrivals,
            column=options.service_column,
        )  # fmt: skip
        per_replica, why = replica_usd_per_month(
            target, inputs.settings, inputs.get(CATALOG), inputs.get(PRICES)
        )
        return [to_recommendation(plan, target, per_replica, why)]


def _config(plan: BatchingPlan, shape: dict) -> BatchingConfig:
    if plan.engine == "vllm":
        return BatchingConfig(
            max_batch_size=0, max_queue_delay_ms=None, replicas=shape["replicas"],
            max_num_seqs=shape["max_num_seqs"],
        )  # fmt: skip
    return BatchingConfig(**shape)


def to_recommendation(
    plan: BatchingPlan, target: Target, per_replica: float | None, why: str
) -> BatchingRecommendation:
    proposed = BatchingState(batching=_config(plan, plan.proposed))
    before = after = None
    if per_replica is not None:
        before = round(per_replica * plan.current["replicas"], 2)
        after = round(per_replica * plan.proposed["replicas"], 2)
    replicas = (plan.current["replicas"], plan.proposed["replicas"])
    risk = Risk(level="low")
    if plan.changed:
        notes = ["validate the change with `aeon validate` once it serves traffic"]
        if replicas[1] == 1 < replicas[0]:
            notes.append("one replica leaves no redundancy: a pod restart stops the service")
        level = "medium" if replicas[1] > replicas[0] or len(notes) > 1 else "low"
        risk = Risk(level="medium" if not plan.meets_target else level, notes=notes)
    return BatchingRecommendation(
        id=recommendation_id(Kind.BATCHING, [plan.model], proposed),
        target=plan.model,
        targets=[plan.model],
        pool=target.pool,
        region=target.region,
        kind=Kind.BATCHING,
        current=BatchingState(batching=_config(plan, plan.current)),
        proposed=proposed,
        priced=per_replica is not None,
        monthly_cost_before_usd=before,
        monthly_cost_after_usd=after,
        monthly_saving_usd=None if before is None else round(before - after, 2),  # type: ignore[operator]
        risk=risk,
        confidence=Confidence.MEDIUM if plan.meets_target else Confidence.LOW,
        evidence=BatchingEvidence(
            batching=BatchingFigures(
                load_rps=plan.evidence["load_rps"],
                current=LatencyFigures(**plan.evidence["current"]),
                proposed=LatencyFigures(**plan.evidence["proposed"]),
            ),
            target_p95_ms=target.target_p95_ms,
            backend=plan.engine,
            notes=[*plan.notes, why, f"load: {plan.evidence['load_source']}"],
        ),
    )
