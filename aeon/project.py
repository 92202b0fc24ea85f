"""Finding the Pulumi project and its stacks, as the Pulumi CLI does."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from aeon.errors import UserError
from components.facts.files import UnreadableFile, parse_yaml, read_text

PROJECT_FILE = "Pulumi.yaml"


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    definition: dict

    @property
    def stacks(self) -> list[str]:
        found = (p.name[len("Pulumi.") : -len(".yaml")] for p in self.root.glob("Pulumi.*.yaml"))
        return sorted(found)

    def stack_file(self, stack: str) -> Path:
        path = self.root / f"Pulumi.{stack}.yaml"
        if path.is_dir():
            raise UserError(f"{path} is a directory; the stack file must be a YAML file")
        if not path.is_file():
            listing = ", ".join(self.stacks) or "none"
            raise UserError(
                f"no stack named {stack!r} in {self.root} (no Pulumi.{stack}.yaml); "
                f"stacks here: {listing}"
            )
        return path


def find_project(start: Path | None = None) -> Project:
    """Walk up from `start` (default: cwd) to the first directory holding Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            definition = load_yaml(candidate)
            name = definition.get("name") if isinstance(definition, dict) else None
            if not isinstance(name, str) or not name:
                raise UserError(f"{candidate}: the project file has no `name`")
            _finish_interrupted_change(directory)
            return Project(root=directory, name=name, definition=definition)
    raise UserError(
        f"no Pulumi project found: neither {here} nor any parent holds {PROJECT_FILE}; "
        "run aeon inside the project or pass --cwd DIR"
    )


def _finish_interrupted_change(root: Path) -> None:
    """Every command that opens the project first completes or rolls back what a killed
    `aeon apply` left (aeon/journal.py), and says so."""
    from aeon.journal import recover

    done = recover(root)
    if done:
        print(f"aeon: {done}", file=sys.stderr)


def load_yaml(path: Path, text: str | None = None) -> dict:
    """The mapping in the YAML file `path`; `text`, when given, stands for the file's content.

    Read as UTF-8 with aliases bounded (components/facts/files.py)."""
    try:
        data = parse_yaml(read_text(path) if text is None else text, str(path))
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data
