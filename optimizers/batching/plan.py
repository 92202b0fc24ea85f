"""One served model's batching recommendation: the config and replica count that meet its p95
target at its load with the fewest replicas, against its current config.

Pure: a latency curve, the load (a rate, or recorded arrivals), the target and the current config
in; a `BatchingPlan` whose `proposed` and `evidence` have the recommendation model's `batching`
shapes out. Triton-batched models get `max_batch_size`, `max_queue_delay_ms`,
`preferred_batch_sizes` and `replicas`; vLLM models (continuous batching, Triton's
`max_batch_size: 0`) get `max_num_seqs` and `replicas`, modelled as a batcher that never waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from .arrivals import poisson_arrivals, rate_of
from .curve import LatencyCurve
from .search import confirm, max_rps_per_replica, ranked
from .simulation import BatcherConfig, LatencyResult, simulate

SIMULATED_SECONDS = 60.0
MIN_SIMULATED, MAX_SIMULATED = 20_000, 200_000
TIE_SHARE = 0.01  # p95s within 1% are a tie, broken by max_rps_per_replica
MAX_RECOUNTS = 8  # replica counts tried past the first when the simulation refuses


@dataclass(frozen=True)
class ServedModel:
    name: str
    engine: Literal["triton", "vllm"]
    config: BatcherConfig  # vLLM: max_batch_size is max_num_seqs, no queue delay
    replicas: int


class BatchingPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    model: str
    engine: Literal["triton", "vllm"]
    changed: bool
    meets_target: bool
    current: dict
    proposed: dict
    evidence: dict
    notes: list[str]


def _shape(engine: str, config: BatcherConfig, replicas: int) -> dict:
    if engine == "vllm":
        return {"max_num_seqs": config.max_batch_size, "replicas": replicas}
    return {
        "max_batch_size": config.max_batch_size,
        "max_queue_delay_ms": config.max_queue_delay_ms,
        "preferred_batch_sizes": list(config.preferred_batch_sizes),
        "replicas": replicas,
    }


def _figures(result: LatencyResult, max_rps: float) -> dict:
    return {
        **{k: round(float(v), 3) for k, v in result.percentiles.items()},
        "max_rps_per_replica": round(float(max_rps), 1),
    }


def _break_ties(options: list, curve: LatencyCurve, target_p95_ms: float, column: str) -> list:
    """p95s within 1% of the best are a tie: the highest max_rps_per_replica goes first."""
    close = [o for o in options if o.p95_ms <= options[0].p95_ms * (1 + TIE_SHARE)][:4]
    if len(close) < 2:
        return options
    rps = {o: max_rps_per_replica(o.config, curve, target_p95_ms, column) for o in close}
    best = max(close, key=lambda o: rps[o])
    return [best, *(o for o in options if o is not best)]


def plan_batching(
    curve: LatencyCurve,
    current: ServedModel,
    target_p95_ms: float,
    *,
    load_rps: float | None = None,
    arrivals: np.ndarray | None = None,
    column: str = "p50",
    seed: int = 0,
) -> BatchingPlan:
    """`arrivals` (seconds, sorted) are replayed as they are; else Poisson at `load_rps`."""
    if arrivals is None:
        assert load_rps is not None and load_rps > 0
        count = int(np.clip(load_rps * SIMULATED_SECONDS, MIN_SIMULATED, MAX_SIMULATED))
        arrivals = poisson_arrivals(load_rps, count, seed)
        load_source = "Poisson"
    else:
        load_rps = rate_of(arrivals)
        load_source = "recorded arrivals, replayed"
    notes = [
        f"service time: the curve's {column} column ({curve.source})",
        (
            f"per-request overhead {curve.overhead_ms:.3f} ms calibrated from the curve's client "
            "and network columns"
            if curve.overhead_ms
            else "no per-batch or per-request overhead beyond the curve is modelled (the curve "
            "is the service time)"
        ),
    ]
    continuous = current.engine == "vllm"
    if current.config.max_batch_size > curve.max_batch_size:
        notes.append(
            f"the current batch size {current.config.max_batch_size} is beyond the curve "
            f"(largest measured {curve.max_batch_size}): its service time is held at the largest"
        )
    now = simulate(arrivals, current.config, curve, current.replicas, column, seed)
    now_rps = max_rps_per_replica(current.config, curve, target_p95_ms, column)
    confirmed = None
    fewest = 1
    for _ in range(MAX_RECOUNTS):  # the simulation may refuse what the approximation allowed
        options = ranked(
            curve, load_rps, target_p95_ms, continuous=continuous, column=column,
            min_replicas=fewest,
        )  # fmt: skip
        if not options:
            break
        options = _break_ties(options, curve, target_p95_ms, column)
        confirmed = confirm(options, curve, arrivals, target_p95_ms, column)
        if confirmed is not None:
            break
        fewest = options[0].replicas + 1
    evidence = {
        "load_rps": round(load_rps, 2),
        "load_source": load_source,
        "target_p95_ms": target_p95_ms,
        "current": _figures(now, now_rps),
        "model": "analytic approximation to search, discrete-event simulation to confirm",
    }
    if confirmed is None:
        notes.append(
            f"no config meets p95 {target_p95_ms:g} ms at {load_rps:.1f} requests/s "
            f"(batch-1 service time {float(curve.service_ms(1, column)):.3f} ms); kept as is"
        )
        return BatchingPlan(
            model=current.name, engine=current.engine, changed=False, meets_target=False,
            current=_shape(current.engine, current.config, current.replicas),
            proposed=_shape(current.engine, current.config, current.replicas),
            evidence={**evidence, "proposed": _figures(now, now_rps)}, notes=notes,
        )  # fmt: skip
    option, result = confirmed
    proposed_rps = max_rps_per_replica(option.config, curve, target_p95_ms, column)
    current_ok = now.p95_ms <= target_p95_ms
    better = option.replicas < current.replicas or (
        option.replicas == current.replicas and result.p95_ms < now.p95_ms * (1 - TIE_SHARE)
    )
    changed = not current_ok or better
    chosen, replicas, figures = (
        (option.config, option.replicas, _figures(result, proposed_rps))
        if changed
        else (current.config, current.replicas, _figures(now, now_rps))
    )
    if not current_ok:
        notes.append(f"the current config misses the target: p95 {now.p95_ms:.2f} ms")
    return BatchingPlan(
        model=current.name,
        engine=current.engine,
        changed=changed,
        meets_target=True,
        current=_shape(current.engine, current.config, current.replicas),
        proposed=_shape(current.engine, chosen, replicas),
        evidence={**evidence, "proposed": figures},
        notes=notes,
    )
