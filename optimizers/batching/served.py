"""The models a stack serves, and where each one's batching and replica keys live.

- `serving.inference`: the LLM on Triton's vLLM backend in the primary region; vLLM batches
  continuously, so its one batching key is `max_num_seqs`;
- `serving.embedder`: the embedding model, batched by Triton's dynamic batcher (`batching`:
  max_batch_size, max_queue_delay_microseconds, preferred_batch_sizes, ...) in the primary region.

The edge model (`serving.edge_inference`) runs in every edge region under one replica count and
one `max_num_seqs`, each region with its own load: it is not planned as one server here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.settings import StackSettings

from .simulation import BatcherConfig


@dataclass(frozen=True)
class StackModel:
    name: str
    engine: Literal["triton", "vllm"]
    keys: tuple[str, ...]  # the settings path of the model's block
    config: BatcherConfig  # vLLM: max_batch_size is max_num_seqs, no queue delay
    replicas: int
    max_replicas: int
    group: str  # the node group its pods run on
    gpus_per_replica: int


def stack_models(settings: StackSettings | None) -> dict[str, StackModel]:
    """The stack's plannable served models by name, the LLM first (none when it serves
    nothing)."""
    serving = settings.serving if settings is not None else None
    if serving is None:
        return {}
    assert settings is not None
    llm, embedder = serving.inference, serving.embedder
    batching = embedder.batching
    return {
        llm.model_name: StackModel(
            llm.model_name,
            "vllm",
            ("serving", "inference"),
            BatcherConfig(llm.max_num_seqs, 0.0),
            llm.replicas,
            llm.max_replicas,
            llm.pool,
            llm.tensor_parallelism,
        ),  # fmt: skip
        embedder.name: StackModel(
            embedder.name,
            "triton",
            ("serving", "embedder"),
            BatcherConfig(
                batching.max_batch_size,
                batching.max_queue_delay_microseconds / 1000,
                tuple(batching.preferred),
            ),
            embedder.replicas,
            embedder.max_replicas,
            settings.embedder_group(),
            1,
        ),  # fmt: skip
    }


def edge_model(settings: StackSettings | None) -> str | None:
    serving = settings.serving if settings is not None else None
    return serving.edge_inference.model_name if serving and serving.edge_inference else None
