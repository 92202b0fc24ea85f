"""`aeon apply` is atomic across its two files even when killed between the two renames: the
journal lets the next command complete (or roll back) the change, and no temp file is left."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aeon import journal
from aeon.errors import UserError
from tests.apply.recs import make_project
from tests.helpers import run_cli

KILL_BETWEEN_RENAMES = """
import os, sys
import aeon.journal as journal
real, done = journal._install, []
def install_then_die(temp, path):
    real(temp, path)
    done.append(path)
    if len(done) == 1:
        os._exit(137)  # SIGKILL's exit status: nothing after this line runs
journal._install = install_then_die
from aeon.cli import main
sys.argv = ["aeon", "apply", "--stack", "prod", "--cwd", sys.argv[1]]
main()
"""


STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def texts(root: Path) -> tuple[str, str]:
    """Both files, with the time of the apply blanked (runs a second apart differ there)."""
    return (
        STAMP.sub("<time>", (root / "Pulumi.prod.yaml").read_text()),
        STAMP.sub("<time>", (root / "policies/config/prod.json").read_text()),
    )


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.name.endswith((".tmp", ".part", ".restore")))


@pytest.fixture
def applied(tmp_path: Path) -> tuple[str, str]:
    """What a clean apply of the same recommendations writes."""
    (tmp_path / "clean").mkdir()
    clean = make_project(tmp_path / "clean")
    assert run_cli("apply", "--stack", "prod", "--cwd", str(clean)).code == 0
    return texts(clean)


def test_a_kill_between_the_renames_is_completed_by_the_next_command(tmp_path, applied):
    (tmp_path / "killed").mkdir()
    root = make_project(tmp_path / "killed")
    before = texts(root)
    done = subprocess.run(
        [sys.executable, "-c", KILL_BETWEEN_RENAMES, str(root)], capture_output=True, text=True
    )
    assert done.returncode == 137, done.stderr
    # The split the issue saw: one file new, the other old, and the journal says what to finish.
    split = texts(root)
    assert split[0] == applied[0] and split[1] == before[1]
    assert (root / journal.JOURNAL).is_file()

    result = run_cli("report", "--stack", "prod", "--cwd", str(root), "--format", "json")
    assert result.code == 0, result.err
    assert "completed an interrupted apply" in result.err
    assert texts(root) == applied
    assert not (root / journal.JOURNAL).exists()
    assert leftovers(root) == []
    # And applying again has nothing left to do.
    again = run_cli("apply", "--stack", "prod", "--cwd", str(root))
    assert again.code == 0 and "nothing to change" in again.err
    assert texts(root) == applied


def test_a_kill_before_the_renames_leaves_both_files_as_they_were(tmp_path):
    root = make_project(tmp_path)
    before = texts(root)
    stack, policy = root / "Pulumi.prod.yaml", root / "policies/config/prod.json"
    # A journal in `prepare` state with half-written temp files: the process died while writing.
    journal._save(
        root / journal.JOURNAL,
        "prepare",
        [
            {
                "path": p.relative_to(root).as_posix(),
                "temp": journal._temp_for(p).relative_to(root).as_posix(),
                "old_sha256": journal._sha(p.read_bytes()),
                "new_sha256": journal._sha(b"new"),
                "old_text": p.read_text(),
            }
            for p in (stack, policy)
        ],
    )
    journal._temp_for(stack).write_text("half a fi")
    assert journal.recover(root).startswith("rolled back an interrupted apply")
    assert texts(root) == before and leftovers(root) == []


def test_a_target_edited_after_the_kill_is_rolled_back_not_overwritten(tmp_path):
    root = make_project(tmp_path)
    stack, policy = root / "Pulumi.prod.yaml", root / "policies/config/prod.json"
    old = (stack.read_text(), policy.read_text())
    journal.write_together(root, [(stack, old[0] + "# new\n"), (policy, old[1] + "\n")])
    assert journal.recover(root) is None  # a finished change leaves no journal
    # Replay a crash after the first rename, then lose the second temp file.
    entries = [
        {
            "path": p.relative_to(root).as_posix(),
            "temp": journal._temp_for(p).relative_to(root).as_posix(),
            "old_sha256": journal._sha(text.encode()),
            "new_sha256": journal._sha(p.read_bytes()),
            "old_text": text,
        }
        for p, text in ((stack, old[0]), (policy, old[1]))
    ]
    policy.write_text(old[1])  # the second rename never happened, its temp file is gone
    journal._save(root / journal.JOURNAL, "commit", entries)
    assert journal.recover(root).startswith("rolled back an interrupted apply")
    assert (stack.read_text(), policy.read_text()) == old and leftovers(root) == []


def test_a_journal_over_files_changed_by_hand_stops_with_exit_2(tmp_path):
    root = make_project(tmp_path)
    stack = root / "Pulumi.prod.yaml"
    entries = [
        {
            "path": "Pulumi.prod.yaml",
            "temp": journal._temp_for(stack).relative_to(root).as_posix(),
            "old_sha256": journal._sha(b"something else"),
            "new_sha256": journal._sha(b"and another"),
            "old_text": "something else",
        }
    ]
    journal._save(root / journal.JOURNAL, "commit", entries)
    with pytest.raises(UserError, match="changed since"):
        journal.recover(root)
    result = run_cli("report", "--stack", "prod", "--cwd", str(root))
    assert result.code == 2 and "journal" in result.err


def test_dry_run_and_a_clean_apply_leave_no_journal_or_temp_file(tmp_path):
    root = make_project(tmp_path)
    before = texts(root)
    assert run_cli("apply", "--stack", "prod", "--cwd", str(root), "--dry-run").code == 0
    assert texts(root) == before
    assert run_cli("apply", "--stack", "prod", "--cwd", str(root)).code == 0
    assert not (root / journal.JOURNAL).exists() and leftovers(root) == []
    shutil.rmtree(root / ".aeon" / "recommendations")


def test_another_command_leaves_a_running_apply_alone(tmp_path, monkeypatch):
    # `aeon report` started while an apply sits between its temp writes and its renames: the
    # journal is that apply's, not a crashed one's, and recover must not roll it back.
    root = make_project(tmp_path)
    stack, policy = root / "Pulumi.prod.yaml", root / "policies/config/prod.json"
    new = (stack.read_text() + "# new\n", policy.read_text() + "\n")
    real, seen = journal._install, []

    def install_while_another_command_opens_the_project(temp, path):
        if not seen:
            seen.append(journal.recover(root))
        real(temp, path)

    monkeypatch.setattr(journal, "_install", install_while_another_command_opens_the_project)
    journal.write_together(root, [(stack, new[0]), (policy, new[1])])
    assert seen == [None]
    assert (stack.read_text(), policy.read_text()) == new and leftovers(root) == []
