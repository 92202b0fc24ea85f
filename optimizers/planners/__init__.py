"""Registered planners: each an options model (its `aeon recommend` flags), the inputs it needs
and a pure `plan()` returning recommendations (optimizers.recommendation).

- base: `Planner`, the registry (`PLANNERS`, `register`, `get_planner`);
- inputs: `InputKey`, `PlanInputs`, `InputLoader` and its registry (`LOADERS`);
- common_inputs: telemetry, catalog and prices, with their loaders;
- run: routing flag values to options, loading inputs, running a planner;
- rightsizing: the `rightsizing` planner.
Adding a planner: a module here with a registered class (its engine may live elsewhere); every
module of this package is imported below, so nothing else needs to name it.
"""

import importlib
import pkgutil

from optimizers.planners.base import PLANNERS, Planner, get_planner, register
from optimizers.planners.common_inputs import CATALOG, PRICES, TELEMETRY, TelemetryWindow
from optimizers.planners.inputs import (
    LOADERS,
    InputKey,
    InputLoader,
    LoadContext,
    PlanInputs,
    register_loader,
)
from optimizers.planners.run import Prepared, option_owners, prepare, run_planner

for _module in pkgutil.iter_modules(__path__):  # planners register themselves when imported
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "CATALOG",
    "LOADERS",
    "PLANNERS",
    "PRICES",
    "TELEMETRY",
    "InputKey",
    "InputLoader",
    "LoadContext",
    "PlanInputs",
    "Planner",
    "Prepared",
    "TelemetryWindow",
    "get_planner",
    "option_owners",
    "prepare",
    "register",
    "register_loader",
    "run_planner",
]
