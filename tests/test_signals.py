"""Ctrl-C and SIGTERM at any moment of a command: exit 130 / 143 within a second, one line, no
traceback, no asyncio or gRPC noise, no policy pack left running. Real processes, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.policy.plans import REGIONAL, clean_plan

AEON = Path(sys.executable).with_name("aeon")
NOISE = ("Traceback", "Exception ignored", "was never awaited", "Task was destroyed", "Error")


def interrupt(argv: list[str], sig: signal.Signals, after_s: float) -> tuple[int, str, float]:
    """Run `aeon ARGV` in its own session, send `sig` after `after_s`; (exit code, stderr,
    seconds from the signal to the exit). Fails if anything of the session outlives it."""
    proc = subprocess.Popen(
        [str(AEON), *argv], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True, text=True,
    )  # fmt: skip
    time.sleep(after_s)
    sent = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"aeon {' '.join(argv)} hung after {sig.name}")
    took = time.monotonic() - sent
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):  # the policy pack went with it
        os.killpg(proc.pid, 0)
    return proc.returncode, err, took


def big_plan(folder: Path, copies: int = 80) -> Path:
    """The clean plan's resources many times over: the pack is busy for seconds."""
    plan = clean_plan()
    body = [s for s in plan["steps"] if s["newState"].get("parent", "").endswith(REGIONAL)]
    for k in range(copies):
        for template in body:
            step = json.loads(json.dumps(template))
            step["urn"] = step["newState"]["urn"] = f"{template['urn']}-{k}"
            plan["steps"].append(step)
    path = folder / "big-plan.json"
    path.write_text(json.dumps(plan))
    return path


@pytest.mark.parametrize(
    ("argv", "sig", "after_s"),
    [
        (["preview", "--stack", "dev"], signal.SIGINT, 0.3),  # importing
        (["preview", "--stack", "dev"], signal.SIGTERM, 2.5),  # the program under the mocks
        (["policy", "--plan", "{plan}"], signal.SIGINT, 2.0),  # the pack over gRPC
    ],
    ids=["sigint-importing", "sigterm-program", "sigint-policy-pack"],
)
def test_a_signal_ends_the_command_at_once_with_one_line(tmp_path, argv, sig, after_s):
    argv = [a.replace("{plan}", str(big_plan(tmp_path))) if a == "{plan}" else a for a in argv]
    code, err, took = interrupt(argv, sig, after_s)
    if code == 0:  # the machine was fast: it finished before the signal, nothing to judge
        pytest.skip(f"aeon {' '.join(argv)} finished within {after_s} s")
    assert code == 128 + sig
    assert took < 1.0, f"{took:.2f} s after {sig.name}"
    assert err.splitlines() == [f"aeon: interrupted by {sig.name}"], err
    assert not any(word in err for word in NOISE)


def test_a_failing_program_prints_one_line_and_no_asyncio_noise():
    """The program raises after registering resources: the engine's loop is closed without the
    shutdown noise (pending tasks, never-awaited coroutines, bad file descriptors)."""
    done = subprocess.run(
        [str(AEON), "preview", "--stack", "dev", "--no-policies",
         "--cwd", str(REPO / "tests" / "engine" / "programs" / "failing")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 3
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("aeon: internal error ProgramError")
    assert "Exception ignored" not in done.stderr and "never awaited" not in done.stderr
