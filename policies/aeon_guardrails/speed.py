"""Convert each resource of a request once, not once per policy, and keep it no longer.

pulumi-policy's servicer converts a request's properties (MessageToDict, deserialize, unknown-
checking proxy), options and provider inside its per-policy loop, so a pack of 32 policies
converts every resource 32 times: most of the pack's time (benchmarks/policy.py). AnalyzeStack
does it for every resource of the stack, once per stack policy. The conversions are pure functions
of the request's messages, so memoizing them on the message object (which protobuf returns as the
same Python object on every access) gives the same values to every policy. The cache lives as long
as the request it serves (`_one_request`): one conversion per resource however large the stack,
and memory bounded by the request. The cyclic collector pauses meanwhile (`_CollectorPause`).

The shim reaches into pulumi-policy's private module attributes, so the pack pins pulumi-policy
exactly (policies/requirements.txt, the same pin as pyproject.toml), tests/test_policy_speed.py
fails when two policies stop receiving the same converted object, and where a release renames the
attributes `install()` warns on stderr and changes nothing: the pack runs, only slower.
"""

from __future__ import annotations

import gc
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

_local = threading.local()


def per_request(
    fn: Callable[..., Any], name: str, subject: Callable[..., Any] | None = None
) -> Callable[..., Any]:
    """`fn` answering from the current request's cache (outside a request, no cache), by the
    identity of its first argument and the value of the others, or by the identity of
    `subject(*args)` alone."""

    def wrapper(*args: Any) -> Any:
        cache = getattr(_local, "cache", None)
        if cache is None:
            return fn(*args)
        if subject is None:
            held, key = args[0], (name, id(args[0]), args[1:])
        else:
            held = subject(*args)
            key = (name, id(held))
        hit = cache.get(key)
        if hit is not None and hit[0] is held:  # kept alive with the value: its id is not reused
            return hit[1]
        value = fn(*args)
        cache[key] = (held, value)
        return value

    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _message(_servicer: Any, message: Any) -> Any:
    return message


class _CollectorPause:
    """Pauses the cyclic garbage collector while any request is served (the server runs up to
    four at once). An AnalyzeStack request builds a few objects per resource for each stack
    policy, all acyclic and freed by reference counting when the policy is done; collecting
    meanwhile walks every converted resource again and again, which doubled the time of a
    20,000-resource stack. Collection resumes between requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._serving = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._serving == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._serving += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._serving -= 1
            if self._serving == 0 and self._resume:
                gc.enable()


_PAUSE = _CollectorPause()


def _one_request(method: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a request with a cache of its own, dropped when it is answered: memory stays
    bounded by one request, and every policy of a request (AnalyzeStack's included, however
    many resources it carries) shares one conversion per resource."""

    def wrapper(self: Any, request: Any, context: Any) -> Any:
        outer = getattr(_local, "cache", None)
        _local.cache = {}
        try:
            with _PAUSE:
                return method(self, request, context)
        finally:
            _local.cache = outer

    wrapper.__wrapped__ = method  # type: ignore[attr-defined]
    return wrapper


NEEDED = (
    "json_format",
    "deserialize_properties",
    "unknown_checking_proxy",
    "_PolicyAnalyzerServicer",
)
REQUESTS = ("Analyze", "AnalyzeStack", "Remediate")
# Per resource message, what every policy of a request is given: the same, so built once.
PER_RESOURCE = ("_get_resource_options", "_get_provider_resource")


def install() -> bool:
    """Memoize the SDK's per-policy conversions; True when they are (now or already) memoized."""
    from pulumi_policy import policy as sdk

    if getattr(sdk, "_aeon_memoized", False):
        return True
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    missing = [name for name in NEEDED if not hasattr(sdk, name)]
    missing += [
        f"_PolicyAnalyzerServicer.{m}" for m in REQUESTS + PER_RESOURCE if not hasattr(servicer, m)
    ]
    if missing:
        print(
            f"aeon-guardrails: warning: pulumi_policy.policy has no {', '.join(missing)}; each "
            "policy converts each resource again (same verdicts, slower). Install the "
            "pulumi-policy version pinned in policies/requirements.txt.",
            file=sys.stderr,
        )
        return False
    original = sdk.json_format
    shim = types.SimpleNamespace(
        **{k: getattr(original, k) for k in dir(original) if not k.startswith("__")}
    )
    shim.MessageToDict = per_request(original.MessageToDict, "message_to_dict")
    sdk.json_format = shim
    sdk.deserialize_properties = per_request(sdk.deserialize_properties, "deserialize")
    sdk.unknown_checking_proxy = per_request(sdk.unknown_checking_proxy, "proxy")
    for method in PER_RESOURCE:
        setattr(servicer, method, per_request(getattr(servicer, method), method, _message))
    for method in REQUESTS:
        setattr(servicer, method, _one_request(getattr(servicer, method)))
    sdk._aeon_memoized = True
    return True
