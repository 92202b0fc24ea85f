"""Planning `aeon apply` for the kinds that change stack keys other than a pool's sizes: a bucket's
lifecycle, a served model's batching and replicas, and a revert of an earlier change. Pure.

A key is addressed by a path from the stack config's keys (no `aeon-infra:` namespace), an item
of a named list by its name: `["storage", "buckets", "datasets", "lifecycle"]`. What each kind
writes:
- lifecycle: the bucket's own `lifecycle` (tiers from STANDARD at day 0, the proposed transitions,
  the retention, and the noncurrent expiry the bucket had): the stack's bucket overrides the
  shared `storage.lifecycle` from then on. A bucket the stack does not declare is not applicable.
- batching: the keys of the served model the recommendation names, and no other model's
  (optimizers.batching.served): for the LLM on vLLM, `serving.inference.max_num_seqs`; for the
  embedder, Triton's `serving.embedder.batching` (max_batch_size, max_queue_delay_microseconds,
  preferred_batch_sizes when they differ from what it sends already); and the model's `replicas`
  (`max_replicas` rises with it when needed). A proposal of the other engine does not apply (vLLM
  has no queue delay; Triton's batcher has no max_num_seqs).
- revert: the exact previous values its `values` list (under its new key when a key moved).
Every applied recommendation records its baseline: the figures its evidence promised, and when.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from components.settings import StackSettings
from optimizers.recommendation import Recommendation
from optimizers.recommendation.batching import BatchingRecommendation
from optimizers.recommendation.lifecycle import LifecycleRecommendation
from optimizers.recommendation.revert import RevertRecommendation
from optimizers.recommendation.sizing import SizingRecommendation

NOT_A_POOL = "-"  # AppliedRecommendation.pool of kinds that are not about a pool


class ConfigEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: list[str]
    before: Any
    after: Any
    recommendation: str

    @property
    def key(self) -> str:
        return "/" + "/".join(self.path)


Skip = Callable[[Recommendation, str, str], None]


def baseline_of(rec: Recommendation, recorded_at: str) -> dict[str, Any]:
    """The figures a change promised, to judge it against later (`aeon validate`)."""
    out: dict[str, Any] = {
        "recorded_at": recorded_at,
        "monthly_cost_before_usd": rec.monthly_cost_before_usd,
        "monthly_cost_after_usd": rec.monthly_cost_after_usd,
    }
    if isinstance(rec, SizingRecommendation):
        out["headroom_pct"] = rec.evidence.headroom_pct
        out["busy_metric"] = rec.evidence.busy_metric
        out["current_instance_type"] = rec.current.instance_type
        out["proposed_instance_type"] = rec.proposed.instance_type
        out.update({f"projected_{k}": v for k, v in rec.evidence.projected.items()})
    elif isinstance(rec, BatchingRecommendation):
        figures = rec.evidence.batching
        out["target_p95_ms"] = rec.evidence.target_p95_ms
        out["load_rps"] = figures.load_rps
        out.update({f"before_{k}": v for k, v in figures.current.model_dump().items()})
        out.update({f"promised_{k}": v for k, v in figures.proposed.model_dump().items()})
    elif isinstance(rec, LifecycleRecommendation):
        costs = rec.evidence.storage.predicted_monthly_usd
        if costs is not None:
            out["predicted_monthly_usd"] = costs.model_dump()
    return out


def _lifecycle(rec: LifecycleRecommendation, settings: StackSettings, skip: Skip):
    from optimizers.storage.lifecycle import Lifecycle, to_settings_tiers

    storage = settings.storage
    bucket = next((b for b in storage.buckets if b.name == rec.target), None) if storage else None
    if bucket is None:
        skip(rec, "not-applicable", f"bucket {rec.target!r} is not declared by the stack")
        return []
    effective = bucket.lifecycle or storage.lifecycle  # type: ignore[union-attr]
    proposed = Lifecycle.model_validate(rec.proposed.lifecycle.model_dump())
    after = {
        "tiers": to_settings_tiers(proposed),
        "expire_after_days": proposed.expiration_days,
        "noncurrent_expire_after_days": effective.noncurrent_expire_after_days,
    }
    before = bucket.lifecycle.model_dump(mode="json") if bucket.lifecycle else None
    if effective.model_dump(mode="json") == after:
        skip(rec, "nothing-to-change", f"bucket {rec.target} already has this lifecycle")
        return []
    return [ConfigEdit(path=["storage", "buckets", bucket.name, "lifecycle"], before=before,
                       after=after, recommendation=rec.id)]  # fmt: skip


def _batching(rec: BatchingRecommendation, settings: StackSettings, skip: Skip):
    from optimizers.batching.served import stack_models

    model = stack_models(settings).get(rec.target)
    if model is None:
        skip(rec, "not-applicable", f"model {rec.target!r} is not one the stack serves")
        return []
    proposed = rec.proposed.batching
    if (proposed.max_num_seqs is not None) != (model.engine == "vllm"):
        served_by = "vLLM" if model.engine == "vllm" else "Triton's dynamic batcher"
        skip(
            rec, "not-applicable",
            f"{rec.target} is batched by {served_by}: a proposal for the other does not apply",
        )  # fmt: skip
        return []
    keys = list(model.keys)
    if model.engine == "vllm":
        wanted = [([*keys, "max_num_seqs"], model.config.max_batch_size, proposed.max_num_seqs)]
    else:
        wanted = _triton_batcher(settings, keys, proposed)
    wanted.append(([*keys, "replicas"], model.replicas, proposed.replicas))
    if proposed.replicas > model.max_replicas:
        wanted.append(([*keys, "max_replicas"], model.max_replicas, proposed.replicas))
    edits = [ConfigEdit(path=p, before=b, after=a, recommendation=rec.id) for p, b, a in wanted]
    edits = [e for e in edits if e.before != e.after]
    if not edits:
        skip(rec, "nothing-to-change", f"{rec.target} already runs this config")
    return edits


def _triton_batcher(settings: StackSettings, keys: list[str], proposed) -> list:
    batching = current_value(settings, [*keys, "batching"])
    size, delay_ms = proposed.max_batch_size, proposed.max_queue_delay_ms or 0.0
    wanted = [
        ([*keys, "batching", "max_batch_size"], batching["max_batch_size"], size),
        ([*keys, "batching", "max_queue_delay_microseconds"],
         batching["max_queue_delay_microseconds"], round(delay_ms * 1000)),
    ]  # fmt: skip
    # Unset preferred sizes send the largest batch: write them only when that is not the proposal.
    sent = batching["preferred_batch_sizes"] or [size]
    wanted_sizes = list(proposed.preferred_batch_sizes) or [size]
    if sent != wanted_sizes:
        before = batching["preferred_batch_sizes"]
        wanted.append(([*keys, "batching", "preferred_batch_sizes"], before, wanted_sizes))
    return wanted


# Keys that moved: a change recorded under the old key is reverted under the new one.
MOVED_KEYS = {
    # one batching key set served the LLM (as vLLM's max_num_seqs) and the embedder until each
    # model had its own; the LLM's batching recommendations wrote this one
    ("serving", "inference", "batching", "max_batch_size"): [
        "serving",
        "inference",
        "max_num_seqs",
    ],
}


def _revert(rec: RevertRecommendation, settings: StackSettings, skip: Skip):
    edits = []
    for value in rec.proposed.values:
        path = MOVED_KEYS.get(tuple(value.path), value.path)
        now = current_value(settings, path)
        if now != value.value:
            edits.append(ConfigEdit(path=path, before=now, after=value.value,
                                    recommendation=rec.id))  # fmt: skip
    if not edits:
        skip(rec, "nothing-to-change", "the previous values are already in place")
    return edits


def plan_config_edits(rec: Recommendation, settings: StackSettings, skip: Skip) -> list[ConfigEdit]:
    """The key edits of one lifecycle, batching or revert recommendation (none: `skip` says why)."""
    if isinstance(rec, LifecycleRecommendation):
        return _lifecycle(rec, settings, skip)
    if isinstance(rec, BatchingRecommendation):
        return _batching(rec, settings, skip)
    if isinstance(rec, RevertRecommendation):
        return _revert(rec, settings, skip)
    raise TypeError(f"{rec.kind}: not a config-edit kind")


def current_value(settings: StackSettings, path: list[str]) -> Any:
    """The value at `path` in the settings (JSON form), named list items found by `name`."""
    node: Any = settings.model_dump(mode="json")
    for part in path:
        if isinstance(node, list):
            node = next((item for item in node if item.get("name") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        if node is None:
            return None
    return node
