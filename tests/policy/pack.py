"""The policy pack's own package, imported from its folder.

The project does not install the pack (the Pulumi CLI runs it in its own virtualenv, with
`policies/` as the working directory, where `aeon_guardrails` is a top-level package), so tests
import it by location, once per process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PACK = Path(__file__).resolve().parents[2] / "policies"
PACKAGE = "aeon_guardrails"


def import_guardrails() -> ModuleType:
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    folder = PACK / PACKAGE
    spec = importlib.util.spec_from_file_location(
        PACKAGE, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[PACKAGE]
        raise
    return module
