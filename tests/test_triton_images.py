"""Which Triton image serves which backend, from tag- and digest-pinned references."""

from __future__ import annotations

import pytest

from components.facts.triton_images import (
    ImageReference,
    backend_problem,
    image_serves,
    parse_reference,
    standard_image,
)

DIGEST = "sha256:" + "0f" * 32
NGC = "nvcr.io/nvidia/tritonserver"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (f"{NGC}:24.10-py3", ImageReference(NGC, "24.10-py3", None)),
        (f"{NGC}:24.10-py3@{DIGEST}", ImageReference(NGC, "24.10-py3", DIGEST)),
        (f"{NGC}@{DIGEST}", ImageReference(NGC, None, DIGEST)),
        # A registry port is not a tag.
        ("registry.local:5000/tritonserver", ImageReference("registry.local:5000/tritonserver",
                                                            None, None)),
        (f"registry.local:5000/tritonserver:24.10-py3@{DIGEST}",
         ImageReference("registry.local:5000/tritonserver", "24.10-py3", DIGEST)),
    ],
)  # fmt: skip
def test_references_split_into_name_tag_and_digest(image, expected) -> None:
    assert parse_reference(image) == expected


@pytest.mark.parametrize(
    ("image", "vllm", "onnxruntime"),
    [
        (f"{NGC}:24.10-vllm-python-py3", True, False),
        (f"{NGC}:24.10-py3", False, True),
        # Pinned by digest: the tag still says the flavour (it ends the name part, not the string).
        (f"{NGC}:24.10-vllm-python-py3@{DIGEST}", True, False),
        (f"{NGC}:24.10-py3@{DIGEST}", False, True),
        (f"{NGC}@{DIGEST}", False, False),  # a digest alone cannot tell
        (f"{NGC}:24.10-py3-sdk", False, False),  # the SDK image serves nothing
    ],
)
def test_the_tags_flavour_says_which_backends_an_image_serves(image, vllm, onnxruntime) -> None:
    assert image_serves(image, "vllm") is vllm
    assert image_serves(image, "onnxruntime") is onnxruntime


def test_a_digest_alone_is_refused_with_the_form_to_write() -> None:
    problem = backend_problem(f"{NGC}@{DIGEST}", "vllm")
    assert problem is not None and f"{NGC}:<version>-vllm-python-py3@{DIGEST}" in problem


def test_the_standard_image_of_a_vllm_image_keeps_its_version_but_never_its_digest() -> None:
    assert standard_image(f"{NGC}:24.10-vllm-python-py3") == f"{NGC}:24.10-py3"
    with pytest.raises(ValueError, match="tag-pinned"):
        standard_image(f"{NGC}:24.10-vllm-python-py3@{DIGEST}")  # that digest is the vLLM image's
