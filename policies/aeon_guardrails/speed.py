"""Deserialize each request's properties once, not once per policy.

pulumi-policy's servicer converts a request's properties (MessageToDict, deserialize, unknown-
checking proxy) inside its per-policy loop, so a pack of 27 policies converts every resource 27
times: most of the pack's time (benchmarks/policy.py). The conversions are pure functions of the
request message, so memoizing them on the message object (which protobuf returns as the same Python
object on every access) gives the same values to every policy.

The shim reaches into pulumi-policy's private module attributes, so the pack pins pulumi-policy
exactly (policies/requirements.txt, the same pin as pyproject.toml), tests/test_policy_speed.py
fails when two policies stop receiving the same converted object, and where a release renames the
attributes `install()` warns on stderr and changes nothing: the pack runs, only slower.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import Any

_MAX_ENTRIES = 8192
_local = threading.local()


def _memoized(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def wrapper(obj: Any, *args: Any) -> Any:
        cache = getattr(_local, name, None)
        if cache is None or len(cache) > _MAX_ENTRIES:
            cache = {}
            setattr(_local, name, cache)
        key = (id(obj), args)
        hit = cache.get(key)
        if hit is not None and hit[0] is obj:  # the key object is kept alive: ids are not reused
            return hit[1]
        value = fn(obj, *args)
        cache[key] = (obj, value)
        return value

    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


NEEDED = ("json_format", "deserialize_properties", "unknown_checking_proxy")


def install() -> bool:
    """Memoize the SDK's per-policy conversions; True when they are (now or already) memoized."""
    from pulumi_policy import policy as sdk

    if getattr(sdk, "_aeon_memoized", False):
        return True
    missing = [name for name in NEEDED if not hasattr(sdk, name)]
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
    shim.MessageToDict = _memoized(original.MessageToDict, "message_to_dict")
    sdk.json_format = shim
    sdk.deserialize_properties = _memoized(sdk.deserialize_properties, "deserialize")
    sdk.unknown_checking_proxy = _memoized(sdk.unknown_checking_proxy, "proxy")
    sdk._aeon_memoized = True
    return True
