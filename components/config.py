"""The one place that reads `pulumi.Config`: validates the stack config into StackSettings."""

from __future__ import annotations

import pulumi

from components.settings import PROJECT, InvalidSettings, StackSettings, parse_settings


class InvalidStackConfig(pulumi.RunError):
    """RunError: the Pulumi CLI prints the message without a traceback."""

    def __init__(self, error: InvalidSettings):
        self.problems = error.problems
        super().__init__(str(error))


def load_settings() -> StackSettings:
    config = pulumi.Config(PROJECT)
    values = {f"{PROJECT}:{key}": config.get(key) for key in StackSettings.model_fields}
    try:
        return parse_settings(values, pulumi.get_stack())
    except InvalidSettings as exc:
        raise InvalidStackConfig(exc) from None
