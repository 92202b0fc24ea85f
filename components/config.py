"""The one place that reads `pulumi.Config`: validates the stack config into StackSettings."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from components.settings import PROJECT, InvalidSettings, StackSettings, parse_settings
from components.settings.loader import AWS_REGION_KEY


class InvalidStackConfig(pulumi.RunError):
    """RunError: the Pulumi CLI prints the message without a traceback."""

    def __init__(self, error: InvalidSettings):
        self.problems = error.problems
        super().__init__(str(error))


def _all_keys() -> set[str]:
    """Every config key the program was given (the CLI's PULUMI_CONFIG or set_all_config), so an
    unknown `aeon-infra:` key is reported rather than ignored."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    keys |= {f"{PROJECT}:{key}" for key in StackSettings.model_fields}
    return {k for k in keys if k.startswith(PROJECT + ":")} | {AWS_REGION_KEY}


def load_settings() -> StackSettings:
    values = {key: runtime_config.get_config(key) for key in sorted(_all_keys())}
    try:
        return parse_settings(values, pulumi.get_stack())
    except InvalidSettings as exc:
        raise InvalidStackConfig(exc) from None
