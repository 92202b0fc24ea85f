"""Telemetry's own errors: bad input, or a source that cannot run here."""

from __future__ import annotations

from optimizers.errors import InputError, UnavailableError


class TelemetryInputError(InputError):
    """Bad telemetry input (file, option, duration): the CLI reports it as a user error (exit 2)."""


class TelemetryUnavailable(UnavailableError):
    """The source cannot run here (no GPU driver, endpoint unreachable): exit 2 with the reason."""
