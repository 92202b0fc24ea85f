"""What Triton reads from a model repository, rendered from the stack config (pure functions).

Two kinds of served model, each loadable by the image it names:

- **vLLM** (`backend: "vllm"`, image `<version>-vllm-python-py3`; the plain `-py3` image has no vLLM
  backend: `components/facts/triton_images.py`, which the settings check). vLLM batches
  continuously itself, so the backend requires `max_batch_size: 0`, no `dynamic_batching`, and the
  decoupled transaction policy; its engine arguments live in
  `<model>/1/model.json` (the backend reads `model.json` from the version folder, r24.10
  `src/model.py`). The model's own `max_num_seqs` key is vLLM's argument of that name (the
  framework's batch size, 32, by default), the framework's 80% memory threshold is
  `gpu_memory_utilization`, CUDA graphs on means `enforce_eager: false`.
- **Dynamically batched** (ONNX Runtime, TensorRT, PyTorch, Python backends in the `-py3` image):
  Triton's own dynamic batcher with the model's own `batching` keys (by default the framework's
  batch 32, 50 ms queue delay, three priority levels, a queue of 1,000 with a 500 ms timeout).
  Inputs and outputs are left to Triton's auto-complete from the model file.
"""

from __future__ import annotations

import json
from typing import Any

from components.facts.triton_images import VLLM
from components.settings import DynamicBatching

VERSION = "1"  # the one model version each repository serves
ENGINE_ARGS_FILE = "model.json"
GPU_MEMORY_UTILIZATION = 0.8  # framework 1.1 batch_processing.memory_threshold "80%"


def vllm_config(name: str) -> str:
    return (
        f'name: "{name}"\n'
        f'backend: "{VLLM}"\n'
        "max_batch_size: 0\n"  # vLLM batches by itself; the backend rejects anything else
        "model_transaction_policy { decoupled: true }\n"
        "instance_group [ { kind: KIND_MODEL count: 1 } ]\n"
    )


def vllm_engine_args(
    weights_dir: str, tensor_parallelism: int, max_num_seqs: int
) -> dict[str, Any]:
    return {
        "model": weights_dir,
        "tensor_parallel_size": tensor_parallelism,
        "max_num_seqs": max_num_seqs,
        "gpu_memory_utilization": GPU_MEMORY_UTILIZATION,
        "enforce_eager": False,  # framework 5.1 cuda_graphs: true
        "disable_log_requests": True,
    }


def batched_config(name: str, backend: str, batching: DynamicBatching) -> str:
    """config.pbtxt with Triton's dynamic batcher; the lowest priority level is the default."""
    timeout_us = batching.queue_timeout_ms * 1000
    return (
        f'name: "{name}"\n'
        f'backend: "{backend}"\n'
        f"max_batch_size: {batching.max_batch_size}\n"
        "dynamic_batching {\n"
        f"  preferred_batch_size: [ {', '.join(map(str, batching.preferred))} ]\n"
        f"  max_queue_delay_microseconds: {batching.max_queue_delay_microseconds}\n"
        f"  priority_levels: {batching.priority_levels}\n"
        f"  default_priority_level: {batching.priority_levels}\n"
        "  default_queue_policy {\n"
        f"    max_queue_size: {batching.max_queue_size}\n"
        f"    default_timeout_microseconds: {timeout_us}\n"
        "    timeout_action: REJECT\n"
        "    allow_timeout_override: true\n"
        "  }\n"
        "}\n"
        "instance_group [ { kind: KIND_GPU count: 1 } ]\n"
    )


def repository_files(
    name: str,
    backend: str,
    batching: DynamicBatching | int,
    *,
    tensor_parallelism: int,
    weights_dir: str,
) -> dict[str, str]:
    """Files of the model's repository folder, keyed by path relative to it. `batching`: vLLM's
    max_num_seqs for a vLLM model, Triton's dynamic batcher for any other."""
    if backend == VLLM:
        if not isinstance(batching, int):
            raise TypeError(f"{name}: a vLLM model takes max_num_seqs, not a dynamic batcher")
        args = vllm_engine_args(weights_dir, tensor_parallelism, batching)
        return {
            "config.pbtxt": vllm_config(name),
            f"{VERSION}/{ENGINE_ARGS_FILE}": json.dumps(args, indent=1),
        }
    if isinstance(batching, int):
        raise TypeError(f"{name}: a {backend} model takes Triton's dynamic batcher")
    return {"config.pbtxt": batched_config(name, backend, batching)}
