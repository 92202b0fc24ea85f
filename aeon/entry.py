"""The `aeon` executable: covers Ctrl-C and SIGTERM from the first instant, before the CLI's
imports (typer, pydantic, the command modules) have run, then hands over to aeon.cli.main,
which installs the full handling (aeon/interrupts.py)."""

from __future__ import annotations

import os
import signal
import sys


def _early(signum: int, _frame: object) -> None:
    # Nothing has started yet: nothing to clean up, nothing half-written.
    sys.stderr.write(f"aeon: interrupted by {signal.Signals(signum).name}\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def main() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # a background job keeps ignoring it
            signal.signal(sig, _early)
    from aeon.cli import main as run

    run()
