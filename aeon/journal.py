"""Writing several files as one change that survives a crash: `aeon apply`'s two files.

1. record the intent in `.aeon/journal.json` (state `prepare`: targets, their temp files, the
   old and new contents' hashes, the old contents);
2. write every temp file beside its target (synced);
3. mark the journal `commit`;
4. rename each temp file over its target;
5. remove the journal.

A process killed anywhere leaves a journal. `recover()` runs before every command that opens the
project (aeon/project.py): a `prepare` journal is rolled back (temp files removed, nothing was
touched), a `commit` journal is completed (the remaining renames done); if a target changed
since (someone edited it), the targets are rolled back to their old contents instead, and if
that cannot be done safely either, the command stops with exit 2 naming the files.

`write_together` holds an exclusive lock on `.aeon/journal.lock` from the journal's first write
to its removal; `recover` leaves a journal alone while another process holds it (an apply still
running, not a crashed one: the kernel drops the lock of a process that dies).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aeon import interrupts
from aeon.errors import UserError
from components.facts.files import (
    PENDING_TEMPS,
    UnreadableFile,
    commit,
    discard,
    exclusive_lock,
    load_json,
    sync_folder,
    write_synced,
    write_temp,
    write_text_atomic,
)

JOURNAL = Path(".aeon") / "journal.json"
LOCK = Path(".aeon") / "journal.lock"
TEMP_SUFFIX = ".aeon-journal.tmp"


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _temp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


def _install(temp: Path, path: Path) -> None:
    """One rename of the change (a seam for the crash tests)."""
    commit(temp, path)


def write_together(root: Path, contents: Sequence[tuple[Path, str]]) -> None:
    """Replace every file of `contents` with its text, all or none, whatever happens."""
    with exclusive_lock(root / LOCK):
        _write_together(root, contents)


def _write_together(root: Path, contents: Sequence[tuple[Path, str]]) -> None:
    journal = root / JOURNAL
    entries: list[dict[str, Any]] = []
    for path, text in contents:
        old = path.read_bytes() if path.is_file() else None
        entries.append(
            {
                "path": path.relative_to(root).as_posix(),
                "temp": _temp_for(path).relative_to(root).as_posix(),
                "old_sha256": _sha(old),
                "new_sha256": _sha(text.encode("utf-8")),
                "old_text": None if old is None else old.decode("utf-8"),
            }
        )
    _save(journal, "prepare", entries)
    temps = [root / e["temp"] for e in entries]
    try:
        for (path, text), temp in zip(contents, temps, strict=True):
            temp.parent.mkdir(parents=True, exist_ok=True)
            PENDING_TEMPS.add(temp)
            write_synced(temp, text, mode_from=path)
        # From here the change is decided: a crash completes it, a signal waits for its end.
        with interrupts.critical():
            _save(journal, "commit", entries)
            for (path, _), temp in zip(contents, temps, strict=True):
                _install(temp, path)
            _remove(journal)
    except BaseException:
        # Failing here (a full disk, a signal) is not a crash: undo what was done, now. Should
        # that fail too, the journal stays for the next command.
        if journal.exists():
            _recover(root, undo=True)
        raise


def _save(journal: Path, state: str, entries: list[dict[str, Any]]) -> None:
    write_text_atomic(journal, json.dumps({"state": state, "files": entries}, indent=1) + "\n")


def _remove(journal: Path) -> None:
    journal.unlink(missing_ok=True)
    sync_folder(journal.parent)


def recover(root: Path) -> str | None:
    """Finish a change a killed process left; returns what was done (None: nothing pending, or
    the apply that wrote the journal is still running)."""
    if not (root / JOURNAL).exists():
        return None
    with exclusive_lock(root / LOCK, wait=False) as ours:
        return _recover(root) if ours else None


def _recover(root: Path, undo: bool = False) -> str | None:
    journal = root / JOURNAL
    if not journal.exists():
        return None
    try:
        data = load_json(journal, "apply journal")
        state, entries = data["state"], list(data["files"])
        targets = [(root / e["path"], root / e["temp"], e) for e in entries]
    except (UnreadableFile, KeyError, TypeError) as exc:
        raise UserError(
            f"{journal} (left by an interrupted `aeon apply`) cannot be read: {exc}; check "
            "the files it names by hand, then delete it"
        ) from None
    names = ", ".join(e["path"] for e in entries)
    if state == "prepare":
        for _, temp, _ in targets:
            discard(temp)
        _remove(journal)
        return f"rolled back an interrupted apply before it changed anything ({names})"
    if not undo and all(_can_complete(path, temp, e) for path, temp, e in targets):
        for path, temp, _ in targets:
            if temp.exists():
                _install(temp, path)
        _remove(journal)
        return f"completed an interrupted apply: {names} now both hold the applied change"
    if all(_sha(_read(path)) in (e["old_sha256"], e["new_sha256"]) for path, _, e in targets):
        for path, temp, e in targets:
            discard(temp)
            if _sha(_read(path)) == e["old_sha256"]:
                continue
            if e["old_text"] is None:
                path.unlink(missing_ok=True)
                continue
            restored = write_temp(path, e["old_text"])
            try:
                commit(restored, path)
            finally:
                discard(restored)
        _remove(journal)
        return f"rolled back an interrupted apply: {names} are as they were before it"
    raise UserError(
        f"an interrupted apply left {journal}, and {names} changed since; compare them with the "
        "journal's old contents by hand, then delete it"
    )


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _can_complete(path: Path, temp: Path, entry: dict[str, Any]) -> bool:
    """The target already holds the new text, or still the old one with the temp file ready."""
    current = _sha(_read(path))
    if current == entry["new_sha256"]:
        return True
    return current == entry["old_sha256"] and _sha(_read(temp)) == entry["new_sha256"]
