"""Reading `.aeon/recommendations/<stack>.json`, as `aeon recommend` saved it: every planner's
entry (a version-1 file, from before planners, reads as one right-sizing entry)."""

from __future__ import annotations

from aeon.errors import UserError
from aeon.project import Project
from components.facts.files import UnreadableFile
from optimizers import recommendation as model


def load_saved(project: Project, stack: str) -> model.RecommendationsFile:
    path = model.recommendations_path(project.root, stack)
    if path.is_dir():
        raise UserError(f"{path} is a directory; it should be the saved recommendations file")
    if not path.is_file():
        raise UserError(
            f"no saved recommendations for stack {stack!r} ({path}); run "
            f"`aeon recommend --stack {stack} ...` first"
        )
    try:
        return model.load(path)
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:
        raise UserError(f"{path}: not a recommendations file: {exc}") from None
