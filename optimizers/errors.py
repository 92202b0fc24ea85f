"""Errors the optimizers raise. The CLI maps them to its exit codes (aeon/cli.py): both are user
errors (exit 2), one line that says what is wrong and how to fix it. Anything else is a bug."""

from __future__ import annotations


class OptimizerError(Exception):
    """Base of the errors an optimizer raises on purpose."""


class InputError(OptimizerError, ValueError):
    """Bad input: a file, an option, a duration, a stack the planner cannot work with."""


class UnavailableError(OptimizerError, RuntimeError):
    """What the optimizer needs cannot run here: no GPU driver, an endpoint out of reach,
    credentials refused."""
