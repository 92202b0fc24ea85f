"""Deserialize each request's properties once, not once per policy.

pulumi-policy's servicer converts a request's properties (MessageToDict, deserialize, unknown-
checking proxy) inside its per-policy loop, so a pack of 27 policies converts every resource 27
times: most of the pack's time (benchmarks/policy.py). The conversions are pure functions of the
request message, so memoizing them on the message object (which protobuf returns as the same Python
object on every access) gives the same values to every policy. If a pulumi-policy release renames
these module attributes, `install()` changes nothing and the pack runs at the old speed.
"""

from __future__ import annotations

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


def install() -> bool:
    from pulumi_policy import policy as sdk

    needed = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    if not all(hasattr(sdk, n) for n in needed) or getattr(sdk, "_aeon_memoized", False):
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
