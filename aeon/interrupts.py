"""Ctrl-C and SIGTERM: exit 130 / 143 within a second, one line, nothing half-written.

While a command runs (`handling_signals()`), the first SIGINT or SIGTERM raises `Interrupted` in
the main thread. It is a SystemExit, so asyncio re-raises it at once out of the offline engine's
event loop and no library's `except Exception` swallows it; `finally` blocks run (temp files are
removed, the policy pack is stopped). If unwinding has not ended the process within GRACE_S (a
thread stuck in C, a library that swallowed it), a watchdog removes pending temp files, stops
registered child processes and ends the process. `critical()` defers a signal until the section
ends (the renames of `aeon apply`); `soft_stop()` turns it into a flag for loops that end by
themselves (`aeon collect`). A second signal ends the process at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

from components.facts.files import remove_pending_temps

GRACE_S = 0.4
SOFT_GRACE_S = 0.9  # a soft stop lets the loop finish its step and report
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(SystemExit):
    """The command was stopped by a signal; its code is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    @property
    def line(self) -> str:
        return f"aeon: interrupted by {signal.Signals(self.signum).name}"


class _State:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.deferred = 0  # depth of critical() sections
        self.soft = 0  # depth of soft_stop() sections
        self.woken = threading.Event()
        self.cleanups: list[Callable[[], None]] = []
        self.children: list[subprocess.Popen] = []
        self.reported = False


_state = _State()


def received() -> int | None:
    """The signal that interrupted this command, if one did."""
    return _state.signum


def on_interrupt(cleanup: Callable[[], None]) -> Callable[[], None]:
    """Run `cleanup` if the watchdog has to end the process (e.g. kill a child process);
    returns the function that unregisters it."""
    _state.cleanups.append(cleanup)
    return lambda: _state.cleanups.remove(cleanup) if cleanup in _state.cleanups else None


def kill_on_interrupt(proc: subprocess.Popen) -> Callable[[], None]:
    """A child process that must not outlive aeon: killed as soon as a signal interrupts the
    command (the unwinding then only reaps it), and killed and reaped by the watchdog should
    the unwinding not end the process (a zombie left to an init process that does not reap would
    still exist). Returns the function that forgets it."""

    def kill() -> None:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=0.5)

    _state.children.append(proc)
    forget_cleanup = on_interrupt(kill)

    def forget() -> None:
        forget_cleanup()
        if proc in _state.children:
            _state.children.remove(proc)

    return forget


def _kill_children() -> None:
    """SIGKILL every registered child now, without waiting (safe in a signal handler)."""
    for proc in list(_state.children):
        with contextlib.suppress(Exception):
            if proc.returncode is None:
                proc.kill()


def _handler(signum: int, _frame: object) -> None:
    if _state.signum is not None:  # the second signal: no more waiting
        _end_now(Interrupted(_state.signum))
    _state.signum = signum
    _state.woken.set()
    grace = SOFT_GRACE_S if _state.soft else GRACE_S
    threading.Thread(
        target=_watchdog, args=(grace,), daemon=True, name="aeon-interrupt-watchdog"
    ).start()
    if not _state.deferred and not _state.soft:
        _kill_children()  # they die while the command unwinds, not after the grace period
        raise Interrupted(signum)


def _watchdog(grace: float) -> None:
    time.sleep(grace)
    while _state.deferred:  # a critical section lasts milliseconds: wait for its end
        time.sleep(0.02)
    _end_now(Interrupted(_state.signum or signal.SIGINT))


def _end_now(exc: Interrupted) -> None:
    for cleanup in list(_state.cleanups):
        with contextlib.suppress(Exception):
            cleanup()
    remove_pending_temps()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    report(exc)
    os._exit(exc.code)  # type: ignore[arg-type]


def report(exc: Interrupted) -> int:
    """Print the one line (once, whoever gets there first); returns the exit code."""
    if not _state.reported:
        _state.reported = True
        with contextlib.suppress(Exception):
            sys.stderr.write(exc.line + "\n")
            sys.stderr.flush()
    return int(exc.code)  # type: ignore[arg-type]


def exit_after_interrupt(code: int) -> None:
    """End the process after an interrupted command without running interpreter shutdown: its
    thread joins and garbage collection of a half-run event loop only add hangs and noise."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """Install the handlers for one command (main thread only; a signal ignored by the parent,
    as for a background job, stays ignored)."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is _handler or signal.getsignal(signal.SIGTERM) is _handler
    ):
        yield  # another thread, or already installed by an outer call
        return
    _state.signum = None
    _state.reported = False
    _state.woken.clear()
    previous = {}
    for sig in SIGNALS:
        current = signal.getsignal(sig)
        if current is signal.SIG_IGN:
            continue
        previous[sig] = current
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """A section no signal may cut: a signal received inside it takes effect when it ends."""
    _state.deferred += 1
    try:
        yield
    finally:
        _state.deferred -= 1
    if not _state.deferred and not _state.soft and _state.signum is not None:
        raise Interrupted(_state.signum)


@contextlib.contextmanager
def soft_stop() -> Iterator[Callable[[], bool]]:
    """Inside, a signal only sets a flag (yielded as `stop_requested()`) and wakes `sleep()`."""
    _state.soft += 1
    try:
        yield lambda: _state.signum is not None
    finally:
        _state.soft -= 1


def sleep(seconds: float) -> None:
    """time.sleep that a signal inside soft_stop() cuts short."""
    if _state.signum is None:
        _state.woken.wait(seconds)
