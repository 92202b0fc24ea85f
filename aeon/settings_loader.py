"""A stack's typed settings, by the Pulumi CLI's config rules; a bad config is a UserError."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aeon.errors import UserError

if TYPE_CHECKING:
    from aeon.project import Project
    from components.settings import StackSettings


def load_settings(project: Project, stack: str, text: str | None = None) -> StackSettings:
    """Validated settings of `stack`; `text` stands for its stack file's content when given.

    Raises UserError (exit 2) naming every key the schema rejects, one line each.
    """
    # Imported on use: the engine loads the Pulumi SDK, which `aeon --help` should not wait for.
    from aeon.engine.config import load_stack_config
    from components.settings import InvalidSettings, parse_settings

    try:
        return parse_settings(load_stack_config(project, stack, text), stack)
    except InvalidSettings as exc:
        raise UserError(str(exc)) from None
