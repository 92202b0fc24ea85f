"""Serving: Triton in the primary region and at the edge, with its caches and vector store."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from components.facts import limits
from components.facts.triton_images import VLLM, backend_problem, parse_reference, standard_image
from components.settings.base import (
    ImageRef,
    MemoryGib,
    Model,
    ModelName,
    Name,
    Replicas,
    SettingsRuleError,
    Vcpus,
)
from components.settings.caches import Cache, VectorStore


class DynamicBatching(Model):
    """Triton's dynamic batcher (`dynamic_batching` in model_config.proto) for a model Triton
    batches itself. The defaults are the framework's figures (seed §5.1): batch 32, 50 ms, three
    priority levels, a queue of 1,000 requests that times out after 500 ms."""

    max_batch_size: int = Field(default=32, ge=1, le=1024)
    max_queue_delay_microseconds: int = Field(
        default=50_000,
        ge=0,
        le=limits.MAX_REQUEST_S * 1_000_000,
        description="How long the oldest request may wait for a batch to fill",
    )
    preferred_batch_sizes: list[int] | None = Field(
        default=None,
        min_length=1,
        description="Batch sizes Triton sends as soon as it can form them, increasing, at most "
        "max_batch_size; unset: [max_batch_size] (batches as large as the delay allows)",
    )
    priority_levels: int = Field(default=3, ge=1, le=10)
    max_queue_size: int = Field(default=1000, ge=1, le=10_000_000)
    queue_timeout_ms: int = Field(default=500, ge=1, le=limits.MAX_REQUEST_S * 1000)

    @model_validator(mode="after")
    def _preferred(self) -> DynamicBatching:
        sizes = self.preferred_batch_sizes or []
        if any(b <= a for a, b in zip(sizes, sizes[1:], strict=False)):
            raise ValueError(f"preferred_batch_sizes {sizes} must be increasing, without repeats")
        if sizes and not (1 <= sizes[0] and sizes[-1] <= self.max_batch_size):
            raise ValueError(
                f"preferred_batch_sizes {sizes} must lie between 1 and max_batch_size "
                f"{self.max_batch_size} (Triton refuses the model otherwise)"
            )
        return self

    @property
    def preferred(self) -> list[int]:
        """The preferred sizes Triton gets: as set, or the largest batch."""
        return self.preferred_batch_sizes or [self.max_batch_size]


MAX_NUM_SEQS = Field(
    default=32,
    ge=1,
    le=1024,
    description="vLLM's max_num_seqs: the most sequences it batches at once (vLLM batches "
    "continuously; Triton's vLLM backend takes max_batch_size 0). Framework §5.1 batch size 32",
)


def check_replicas(replicas: int, max_replicas: int) -> None:
    if replicas > max_replicas:
        raise ValueError(f"replicas {replicas} must be <= max_replicas {max_replicas}")


def check_image(image: str | None, backend: str) -> None:
    if image is not None and (problem := backend_problem(image, backend)):
        raise SettingsRuleError(problem, "image")


class Inference(Model):
    pool: Name
    model_name: ModelName
    image: ImageRef = Field(
        description="Triton's vLLM image (`<version>-vllm-python-py3`), by tag, or by tag and "
        "digest (`...:24.10-vllm-python-py3@sha256:...`); the edge models run in it too"
    )
    replicas: Replicas
    max_replicas: Replicas
    tensor_parallelism: int = Field(ge=1, le=8)
    max_num_seqs: int = MAX_NUM_SEQS
    namespace: Name = "inference"
    hpa_target_cpu_pct: int = Field(default=70, ge=1, le=100)
    node_port: int = Field(
        default=30800, ge=30000, le=32767, description="HTTP port the load balancer targets"
    )
    cpu_per_replica: Vcpus = 8
    memory_gib_per_replica: MemoryGib = 64

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "batching" in data:
            raise ValueError(
                "serving.inference.batching was split by model: write the vLLM model's batch as "
                "serving.inference.max_num_seqs (it was batching.max_batch_size) and the "
                "embedder's Triton batcher as serving.embedder.batching"
            )
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Inference:
        check_replicas(self.replicas, self.max_replicas)
        return self

    @model_validator(mode="after")
    def _image_serves(self) -> Inference:
        check_image(self.image, VLLM)
        return self


class EdgeInference(Model):
    """Triton in each edge region, on that region's inference pool (single-GPU pods)."""

    model_name: ModelName
    replicas: Replicas
    max_replicas: Replicas
    max_num_seqs: int = MAX_NUM_SEQS
    namespace: Name = "edge-inference"
    hpa_target_cpu_pct: int | None = Field(
        default=None, ge=1, le=100, description="The HPA's CPU target; unset: serving.inference's"
    )
    cpu_per_replica: Vcpus = 3
    memory_gib_per_replica: MemoryGib = 12

    @model_validator(mode="after")
    def _ordered(self) -> EdgeInference:
        check_replicas(self.replicas, self.max_replicas)
        return self


TRITON_BATCHED_BACKENDS = ("onnxruntime", "tensorrt", "pytorch", "tensorflow", "openvino", "python")


class Embedder(Model):
    """The embedding model that feeds the vector store: Triton's dynamic batcher in the standard
    (`-py3`) image, in the primary region."""

    name: ModelName = "embedder"
    backend: Literal[TRITON_BATCHED_BACKENDS] = "onnxruntime"  # type: ignore[valid-type]
    image: ImageRef | None = Field(
        default=None,
        description="Triton's standard image (`<version>-py3`); unset: that of "
        "serving.inference.image's version. Required when serving.inference.image is pinned "
        "by digest (a digest names one image: the vLLM one)",
    )
    pool: Name | None = Field(
        default=None,
        description="Inference pool or node group of the primary region; unset: its first "
        "time-sliced inference node group, else serving.inference.pool",
    )
    replicas: Replicas = Field(default=1, description="Pods at rollout, and the HPA's minimum")
    max_replicas: Replicas = Field(default=4, description="The HPA's maximum")
    hpa_target_cpu_pct: int | None = Field(
        default=None, ge=1, le=100, description="The HPA's CPU target; unset: serving.inference's"
    )
    cpu_per_replica: Vcpus = 1
    memory_gib_per_replica: MemoryGib = 4
    artifact_gib: MemoryGib = Field(default=4, description="emptyDir for the copied model")
    batching: DynamicBatching = Field(default_factory=DynamicBatching)

    @model_validator(mode="after")
    def _ordered(self) -> Embedder:
        check_replicas(self.replicas, self.max_replicas)
        return self

    @model_validator(mode="after")
    def _image_serves(self) -> Embedder:
        check_image(self.image, self.backend)
        return self


class Serving(Model):
    inference: Inference
    embedder: Embedder = Field(default_factory=Embedder)
    edge_inference: EdgeInference | None = None
    vector_store: VectorStore
    embedding_cache: Cache
    result_cache: Cache

    @model_validator(mode="after")
    def _embedder_image(self) -> Serving:
        digest = parse_reference(self.inference.image).digest
        if self.embedder.image is None and digest is not None:
            raise SettingsRuleError(
                "serving.inference.image is pinned by digest, which names the vLLM image only: "
                "pin the embedder's standard image too, e.g. "
                f"{standard_image(self.inference.image.removesuffix('@' + digest))}"
                "@sha256:<its digest>",
                "embedder",
                "image",
            )
        return self

    def embedder_image(self) -> str:
        return self.embedder.image or standard_image(self.inference.image)
