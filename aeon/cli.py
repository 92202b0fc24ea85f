"""Entry point of the `aeon` command: runs a command and maps its outcome onto exit codes.

0 ok; 1 a mandatory policy violation; 2 a user error (one clear message); 3 an internal error,
printed as one line naming the exception type and the log file that holds the traceback;
130 / 143 interrupted by SIGINT / SIGTERM (one line; see aeon/interrupts.py).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from aeon import commands, interrupts
from aeon.app import app, set_running, start_clock
from aeon.errors import AeonError
from components.facts.files import UnreadableFile
from optimizers.errors import InputError, UnavailableError

# Errors raised below the CLI (lower layers never import aeon) and the exit code each one means.
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (InputError, 2),
    (UnavailableError, 2),
    (UnreadableFile, 2),
)


def _register_commands() -> None:
    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"{commands.__name__}.{module.name}")


def _write_crash_log(exc: BaseException) -> Path:
    folder = Path(tempfile.gettempdir()) / "aeon-logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"aeon-{time.strftime('%Y%m%dT%H%M%S')}-{id(exc):x}.log"
    path.write_text(
        f"aeon {' '.join(sys.argv[1:])}\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    return path


def exit_code_for(exc: Exception) -> int:
    """The contract's exit code for an exception a command let through: 3 unless it is known."""
    if isinstance(exc, AeonError):
        return exc.exit_code
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 3)


def invoke(argv: list[str], *, from_process_start: bool = False) -> int:
    """Run one command line and return its exit code; nothing but the result goes to stdout."""
    start_clock(from_process_start)
    _register_commands()
    set_running(argv)
    with interrupts.handling_signals():
        try:
            # Standalone mode lets typer report usage errors itself (exit 2); exceptions raised
            # by a command still propagate to the handlers below.
            app(args=argv, prog_name="aeon", standalone_mode=True)
            return 0
        except interrupts.Interrupted as exc:
            return interrupts.report(exc)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except Exception as exc:  # noqa: BLE001 the contract: one line, traceback in a log file
            signum = interrupts.received()
            if signum is not None:  # a library turned the interrupt into its own error
                return interrupts.report(interrupts.Interrupted(signum))
            code = exit_code_for(exc)
            if code == 3:
                log = _write_crash_log(exc)
                print(
                    f"aeon: internal error {type(exc).__name__}: {exc} (traceback: {log})",
                    file=sys.stderr,
                )
            elif str(exc):
                print(f"aeon: {exc}", file=sys.stderr)
            return code


def main() -> None:
    with interrupts.handling_signals():
        try:
            code = invoke(sys.argv[1:], from_process_start=True)
        except interrupts.Interrupted as exc:  # raised while a handler above was reporting
            code = interrupts.report(exc)
    if interrupts.received() is not None:
        interrupts.exit_after_interrupt(code)
    # Nothing is left to collect: without this, shutdown spends seconds collecting the offline
    # engine's garbage after the command has reported its own run time.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
