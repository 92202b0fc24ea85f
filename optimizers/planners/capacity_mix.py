"""The `capacity-mix` planner: each pool's on-demand base and spot share above it.

Its usage is capacity units per pool and hour, from billing data (`--billing` or `--athena-*`,
rows split by the aeon:pool tag; window: the whole span, or --lookback) or from telemetry
(`--source`, instances present each hour; window: --lookback, 14d by default). The decision is
optimizers.capacity_mix: spot only for interruptible, diversified pools by the Spot Advisor's
figures, the base kept at the commitments held, the committed steady state and the units to buy
reported. `aeon apply` writes the result into the pool's `capacity` keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import Field, create_model, model_validator

from components.pool_types import capacity_of
from optimizers.capacity_mix import MixOptions
from optimizers.capacity_mix.recommend import SpotMinimums, plan_mix
from optimizers.capacity_mix.usage import POOL_TAG, PoolUsage, from_billing, from_telemetry
from optimizers.errors import InputError
from optimizers.options import Options
from optimizers.planners.base import Planner, register
from optimizers.planners.billing_inputs import RATES, BillingOptions, read_billing
from optimizers.planners.common_inputs import (
    CATALOG,
    PRICES,
    TelemetryLoader,
    TelemetryOptions,
)
from optimizers.planners.inputs import (
    InputKey,
    InputLoader,
    LoadContext,
    PlanInputs,
    register_loader,
)
from optimizers.recommendation import Kind, Recommendation

POOL_USAGE: InputKey[PoolUsage] = InputKey(
    "pool-usage", "capacity units in use per pool and hour (billing data or telemetry)"
)
SPOT_POLICY: InputKey[SpotMinimums] = InputKey(
    "spot-policy", "the stack's asg-spot-diversified minimums (policies/config/<stack>.json)"
)
SPOT_POLICY_NAME = "asg-spot-diversified"


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _capacity(pool: Any, instance_type: str) -> int | None:
    return capacity_of(pool, instance_type, pool.region)


# The billing flags and the telemetry flags, each field defined once where it belongs.
_PoolUsageBase = create_model(  # type: ignore[call-overload]
    "_PoolUsageBase",
    __base__=BillingOptions,
    **{
        name: (info.annotation, info)
        for name, info in TelemetryOptions.model_fields.items()
        if name not in BillingOptions.model_fields
    },
)


class PoolUsageOptions(_PoolUsageBase):  # type: ignore[misc, valid-type]
    @model_validator(mode="after")
    def _one_source_of_usage(self) -> PoolUsageOptions:
        telemetry = [f"--{k.replace('_', '-')}" for k in ("source", "input_dir", "region",
                     "inventory") if getattr(self, k) not in (None, [])]  # fmt: skip
        if self.given and telemetry:
            raise ValueError(
                f"pass billing data (--billing/--athena-*) or telemetry ({', '.join(telemetry)}),"
                " not both"
            )
        return self

    def telemetry(self) -> TelemetryOptions:
        values = {k: getattr(self, k) for k in TelemetryOptions.model_fields if k != "lookback"}
        return TelemetryOptions(**values, **({"lookback": self.lookback} if self.lookback else {}))


@register_loader
class PoolUsageLoader(InputLoader[PoolUsage]):
    key = POOL_USAGE
    Options = PoolUsageOptions
    after = (PRICES,)

    def nested(self, options: PoolUsageOptions) -> list[tuple[str, type[Options]]]:
        return TelemetryLoader().nested(options.telemetry())

    def every_nested(self) -> list[tuple[str, type[Options]]]:
        return TelemetryLoader().every_nested()

    def load(
        self, context: LoadContext, options: PoolUsageOptions, nested: Mapping[str, Any]
    ) -> PoolUsage:
        book = context.loaded.get(PRICES)
        if options.given:
            usage = read_billing(context, options, tag=POOL_TAG)
            found = from_billing(usage, context.settings, _capacity, book)
        elif options.source is not None:
            window = TelemetryLoader().load(context, options.telemetry(), nested)
            found = from_telemetry(
                window.frame, window.end, window.lookback_s, context.settings, _capacity, book
            )
        else:
            raise InputError(
                "the capacity-mix planner needs the pools' usage: pass --billing FILE (or "
                "--athena-database/--athena-table/--athena-output) or --source with telemetry"
            )
        for note in found.notes:
            context.say(f"warning: {note}")
        if not found.pools:
            raise InputError(f"the {found.source} data holds no usage of the stack's pools")
        return found

    def fingerprint(self, value: PoolUsage) -> str:
        digest = hashlib.sha256(f"{value.source}|{value.window_start}|{value.hours}".encode())
        for name in sorted(value.pools):
            demand = value.pools[name]
            digest.update(f"{name}|{demand.unit_on_demand_usd}".encode())
            digest.update(demand.units.astype("<f8").tobytes())
        return "sha256:" + digest.hexdigest()

    def origin(self, value: PoolUsage) -> str:
        return value.source


@register_loader
class SpotPolicyLoader(InputLoader[SpotMinimums]):
    """The minimums the pack will hold spot pools to: the stack's policy config where it sets
    them (a dev stack may relax them, with a reason), else the pack's defaults."""

    key = SPOT_POLICY

    def load(
        self, context: LoadContext, options: Options, nested: Mapping[str, Any]
    ) -> SpotMinimums:
        defaults = SpotMinimums()
        path = None if context.root is None else (
            context.root / "policies" / "config" / f"{context.stack}.json"
        )  # fmt: skip
        if path is None or not path.is_file():
            return defaults
        try:
            entry = json.loads(path.read_text(encoding="utf-8")).get(SPOT_POLICY_NAME)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
            raise InputError(f"{path}: not a policy config ({exc}); fix it or remove it") from None
        if not isinstance(entry, dict):
            return defaults
        by_role = entry.get("min_types_by_role")
        zones = entry.get("min_availability_zones")
        relaxed = {  # what the pack's schema would accept; anything else keeps the default
            role: n for role, n in (by_role.items() if isinstance(by_role, dict) else ())
            if _count(n)
        }  # fmt: skip
        return SpotMinimums(
            types_by_role={**defaults.types_by_role, **relaxed},
            zones=zones if _count(zones) else defaults.zones,
            source=str(path.name),
        )

    def fingerprint(self, value: SpotMinimums) -> str:
        return repr((sorted(value.types_by_role.items()), value.zones))

    def origin(self, value: SpotMinimums) -> str:
        return value.source


class CapacityMixOptions(Options):
    interruption_budget_pct: float = Field(
        5.0, gt=0, le=100,
        description="Share of above-base capacity that may be interrupted in a month (percent).",
    )  # fmt: skip
    min_spot_saving_pct: float = Field(
        20.0, ge=0, lt=100, description="Spot only when the Spot Advisor saving reaches this."
    )


@register
class CapacityMixPlanner(Planner):
    name = "capacity-mix"
    title = "Capacity mix"
    description = "Each pool's on-demand base and spot share, from its usage."
    Options = CapacityMixOptions
    inputs = (POOL_USAGE, RATES, PRICES, CATALOG, SPOT_POLICY)
    kinds = frozenset({Kind.CAPACITY_MIX})

    def plan(self, inputs: PlanInputs, options: CapacityMixOptions) -> list[Recommendation]:
        if inputs.settings is None:
            raise InputError("the capacity-mix planner plans a stack's pools: pass --stack")
        mix = MixOptions(options.interruption_budget_pct, options.min_spot_saving_pct)
        return list(
            plan_mix(
                inputs.get(POOL_USAGE), inputs.settings, inputs.get(PRICES),
                inputs.get(RATES).rates, inputs.get(CATALOG), _capacity, mix,
                inputs.get(SPOT_POLICY),
            )
        )  # fmt: skip
