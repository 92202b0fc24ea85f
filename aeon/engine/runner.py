"""Run the project's `__main__.py` in-process under Pulumi's mock runtime and collect the graph."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import runpy
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_in_stack

from aeon import interrupts
from aeon.engine.answers import UnansweredInvoke
from aeon.engine.config import load_stack_config, secret_keys
from aeon.engine.model import GLOBAL_REGION, ProgramRun, Resource
from aeon.engine.monitor import AeonMocks, RecordingMonitor
from aeon.engine.program_imports import programs_own_packages
from aeon.errors import AeonError, UserError
from aeon.project import Project, find_project

DEFAULT_REGION = "us-east-1"
_PACKAGES = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes"}


class ProgramError(AeonError):
    """The program failed for a reason that is not the user's config: a bug (exit 3)."""


def package_versions() -> dict[str, str]:
    found = {}
    for package, dist in _PACKAGES.items():
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(dist)
    return found


@contextlib.contextmanager
def _program_context(root: Path) -> Iterator[None]:
    """The CLI runs a program with its directory as cwd and first on sys.path, in a fresh
    interpreter: its own packages are the ones it imports (program_imports.py)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with programs_own_packages(root):
            yield
    finally:
        os.chdir(cwd)


def _reset_runtime() -> None:
    # Needed before every run in one process, or the second run hangs
    # (docs/pulumi-offline-engine.md#running-a-program-under-mocks).
    pulumi_settings.ROOT.set(None)
    pulumi_settings.SETTINGS.outputs.clear()
    pulumi_settings.SETTINGS.rpc_manager.clear()


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """Close the run's loop. After a failed program, tasks still wait on RPCs that never come:
    cancel them, let them finish being cancelled (else each one warns at exit that it was never
    awaited) and drop the loop's complaints about them, so nothing but our message prints."""
    loop.set_exception_handler(lambda _loop, _context: None)
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending and interrupts.received() is None:  # interrupted: the process ends right away
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.wait(pending, timeout=2))
    asyncio.set_event_loop(None)
    loop.close()


def program_path(project: Project) -> Path:
    main = project.definition.get("main")
    path = project.root / main if isinstance(main, str) else project.root
    return path / "__main__.py" if path.is_dir() else path


def run_program(project_or_root: Project | Path | None, stack: str) -> ProgramRun:
    project = (
        project_or_root if isinstance(project_or_root, Project) else find_project(project_or_root)
    )
    config = load_stack_config(project, stack)
    main = program_path(project)
    if not main.is_file():
        raise UserError(f"the project's program {main} does not exist")

    mocks = AeonMocks(default_region=config.get("aws:region") or DEFAULT_REGION)
    monitor = RecordingMonitor(
        mocks=mocks, stack=stack, project=project.name, project_root=project.root,
        package_versions=package_versions(),
    )  # fmt: skip

    _reset_runtime()
    # The runtime binds its tasks to the current loop from set_mocks on: make ours current first.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(config, secret_keys(project, stack))
    pulumi_mocks.set_mocks(mocks, project=project.name, stack=stack, preview=True, monitor=monitor)
    # set_mocks made a root stack and finished it at once; run the program in a fresh one, as
    # the language host does, so that exports reach the stack's outputs.
    pulumi_settings.ROOT.set(None)

    try:
        with _program_context(project.root):
            loop.run_until_complete(
                run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__"))
            )
    except UnansweredInvoke as exc:
        raise ProgramError(str(exc)) from exc
    except pulumi.RunError as exc:
        # The program's own clear error (invalid stack config is the common one).
        raise UserError(str(exc)) from None
    except Exception as exc:
        raise ProgramError(f"the program {main.name} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        # A run cut short (an error, a signal) leaves coroutines that die unawaited here: their
        # RuntimeWarnings are noise after the one line that says what happened.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _close(loop)
            _reset_runtime()

    if monitor.duplicates:
        listing = "\n  ".join(sorted(set(monitor.duplicates)))
        raise ProgramError(
            "duplicate resource URN(s); the engine rejects them, give each a unique name:\n  "
            + listing
        )
    if monitor.unknown_inputs:
        listing = "\n  ".join(monitor.unknown_inputs[:20])
        raise ProgramError(
            "inputs left unknown offline (an output the engine does not compute; add it to "
            f"aeon/engine/answers.py):\n  {listing}"
        )
    return ProgramRun(
        project=project.name,
        stack=stack,
        resources=_with_component_regions(monitor),
        exports=monitor.exports,
        config=config,
        stack_urn=monitor.stack_urn or "",
    )


def _with_component_regions(monitor: RecordingMonitor) -> tuple[Resource, ...]:
    """A component's region is the one its regional resources share (global ones, such as the DNS
    record that validates a regional certificate, do not count), else `global`."""
    regs = monitor.registrations
    regions: dict[str, set[str]] = {}
    for reg in regs.values():
        if reg.custom and reg.region:
            parent = reg.parent
            while parent and parent in regs:
                regions.setdefault(parent, set()).add(reg.region)
                parent = regs[parent].parent

    def region(urn: str) -> str | None:
        reg = regs[urn]
        if reg.custom:
            return reg.region
        found = regions.get(urn, set()) - {GLOBAL_REGION}
        return next(iter(found)) if len(found) == 1 else GLOBAL_REGION

    stack_urn = monitor.stack_urn
    return tuple(
        dataclasses.replace(
            reg,
            parent=None if reg.parent == stack_urn else reg.parent,
            region=region(reg.urn),
        )
        for reg in sorted(regs.values(), key=lambda r: r.urn)
    )
