"""The stack as a git ref declares it: its own program and config, run in their own process.

`start_base(project, stack, ref)` checks the ref out in a temporary git worktree (detached) and
starts this interpreter on `aeon.cost.snapshot` there, in isolated mode, so the ref's
`__main__.py`, `components/` and `Pulumi.<stack>.yaml` are the ones that run while the engine is
this one. The caller runs the working tree meanwhile and then `wait()`s for the base's graph.
A stack the ref does not have is an empty base (every resource is an addition).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aeon import interrupts
from aeon.cost.inputs import StackInputs, from_snapshot
from aeon.errors import UserError
from aeon.project import Project
from optimizers.costing import StackGraph

BASE_TIMEOUT_S = 600


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )


@dataclass
class BaseRun:
    project: Project
    stack: str
    ref: str
    worktree: Path
    repo: Path
    process: subprocess.Popen[str] | None = None
    empty: bool = False
    _cleaned: bool = field(default=False, repr=False)

    def wait(self) -> StackInputs:
        try:
            if self.empty:
                return StackInputs(self.project.name, self.stack, StackGraph(()), {})
            assert self.process is not None
            try:
                out, err = self.process.communicate(timeout=BASE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise UserError(f"the stack at {self.ref} ran over {BASE_TIMEOUT_S}s") from None
            if self.process.returncode != 0:
                last = (err.strip().splitlines() or ["no message"])[-1]
                raise UserError(f"the stack at {self.ref} could not be run offline: {last}")
            return from_snapshot(json.loads(out))
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        if self._cleaned:
            return
        self._cleaned = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        _git(self.repo, "worktree", "remove", "--force", str(self.worktree))
        shutil.rmtree(self.worktree.parent, ignore_errors=True)
        _git(self.repo, "worktree", "prune")


def start_base(project: Project, stack: str, ref: str) -> BaseRun:
    top = _git(project.root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UserError(f"--base {ref}: {project.root} is not in a git repository")
    repo = Path(top.stdout.strip())
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise UserError(
            f"--base {ref}: no such git ref here (a shallow CI clone needs the base fetched: "
            "actions/checkout with fetch-depth: 0)"
        )
    holder = Path(tempfile.mkdtemp(prefix="aeon-base-"))
    worktree = holder / "tree"
    added = _git(repo, "worktree", "add", "--detach", str(worktree), commit.stdout.strip())
    if added.returncode != 0:
        shutil.rmtree(holder, ignore_errors=True)
        raise UserError(f"--base {ref}: git worktree add failed: {added.stderr.strip()}")
    root = worktree / project.root.relative_to(repo)
    run = BaseRun(project, stack, ref, worktree, repo)
    if not (root / f"Pulumi.{stack}.yaml").is_file():
        run.empty = True
        return run
    command = [sys.executable, "-I", "-m", "aeon.cost.snapshot", str(root), stack]
    run.process = subprocess.Popen(
        command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    interrupts.kill_on_interrupt(run.process)  # a signal that ends aeon ends the base run too
    return run
