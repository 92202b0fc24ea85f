"""Running plans through one started pack (each start costs ~0.3 s: share one per test module)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aeon.analyzer import check_resources, open_project_session
from aeon.analyzer.plan import resources_from_plan
from aeon.analyzer.report import PolicyReport
from aeon.analyzer.session import AnalyzerSession
from aeon.project import find_project

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


@contextlib.contextmanager
def pack_session(
    stack: str = "fixture", extra_env: dict[str, str] | None = None
) -> Iterator[AnalyzerSession]:
    project = find_project(ROOT)
    with open_project_session(project, stack, {}, extra_env=extra_env) as session:
        yield session


def run_plan(
    session: AnalyzerSession,
    plan: dict[str, Any],
    config: dict[str, Any] | None = None,
    tmp: Path | None = None,
) -> PolicyReport:
    loaded = resources_from_plan(plan)
    config_path = None
    if config is not None:
        assert tmp is not None, "a policy config needs a tmp dir to be written to"
        config_path = tmp / "policy-config.json"
        config_path.write_text(json.dumps(config))
    return check_resources(
        loaded.resources,
        find_project(ROOT),
        loaded.stack,
        config_path,
        stack_config=loaded.config,
        session=session,
    )
