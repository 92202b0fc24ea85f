"""Errors that map onto the CLI contract's exit codes."""

from __future__ import annotations


class AeonError(Exception):
    """Base for errors the CLI reports as one clear message (never a traceback)."""

    exit_code = 3


class UserError(AeonError):
    """Bad config, bad input, unknown stack: the message says what is wrong and how to fix it."""

    exit_code = 2


class PolicyFailure(AeonError):
    """A mandatory policy was violated; the report has already been written to stdout."""

    exit_code = 1
