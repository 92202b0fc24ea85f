"""Which Triton image serves which backend, read from its image reference (pure).

NVIDIA publishes Triton as `nvcr.io/nvidia/tritonserver:<yy.mm>-<flavour>`: the vLLM backend ships
only in the `-vllm-python-py3` flavour, the backends that batch through Triton (ONNX Runtime,
TensorRT, PyTorch, Python, ...) in the standard `-py3` one. The flavour is in the tag. A digest
(`@sha256:...`) names an image's bytes and says nothing of its flavour, so a digest-pinned Triton
image keeps its tag as well (`tritonserver:24.10-vllm-python-py3@sha256:...`): the container
runtime pulls by the digest, and the tag says which image the digest is.
"""

from __future__ import annotations

from dataclasses import dataclass

VLLM = "vllm"
VLLM_IMAGE_SUFFIX = "-vllm-python-py3"
STANDARD_IMAGE_SUFFIX = "-py3"


@dataclass(frozen=True)
class ImageReference:
    """`[registry[:port]/]repository[:tag][@digest]`, split."""

    name: str  # registry and repository
    tag: str | None
    digest: str | None


def parse_reference(image: str) -> ImageReference:
    name, at, digest = image.partition("@")
    tag = None
    if name.rfind(":") > name.rfind("/"):  # a colon before the last '/' is a registry port
        name, tag = name.rsplit(":", 1)
    return ImageReference(name, tag, digest if at else None)


def flavour_of(backend: str) -> str:
    return VLLM_IMAGE_SUFFIX if backend == VLLM else STANDARD_IMAGE_SUFFIX


def backend_problem(image: str, backend: str) -> str | None:
    """Why `image` cannot serve `backend` (a sentence that says what to write), or None."""
    ref = parse_reference(image)
    flavour = flavour_of(backend)
    if ref.tag is None and ref.digest is not None:
        return (
            "a digest alone does not say which Triton image it is; write its tag with it: "
            f"{ref.name}:<version>{flavour}@{ref.digest}"
        )
    if ref.tag is None:
        return f"no tag: write Triton's version and flavour, {ref.name}:<version>{flavour}"
    vllm_tag = ref.tag.endswith(VLLM_IMAGE_SUFFIX)
    standard_tag = ref.tag.endswith(STANDARD_IMAGE_SUFFIX) and not vllm_tag
    if vllm_tag if backend == VLLM else standard_tag:
        return None
    return (
        f"the {backend!r} backend runs in Triton's `<version>{flavour}` image, and tag "
        f"{ref.tag!r} is not one"
    )


def image_serves(image: str, backend: str) -> bool:
    return backend_problem(image, backend) is None


def standard_image(vllm_image: str) -> str:
    """The standard (`-py3`) image of the Triton version of a tag-pinned vLLM image. A digest
    cannot carry over: it names the vLLM image's bytes."""
    ref = parse_reference(vllm_image)
    if ref.digest is not None or ref.tag is None or not ref.tag.endswith(VLLM_IMAGE_SUFFIX):
        raise ValueError(f"{vllm_image!r} is not a tag-pinned vLLM Triton image")
    return f"{ref.name}:{ref.tag.removesuffix(VLLM_IMAGE_SUFFIX)}{STANDARD_IMAGE_SUFFIX}"
