"""Running the CrossGuard pack in `policies/` offline, the way the Pulumi CLI runs it.

Entry point for other commands (`aeon preview` wires in here):

    check_resources(resources, project, stack, config_path=None, *, stack_config=None,
                    session=None) -> PolicyReport

- `resources`: `aeon.engine.model.Resource` objects (inputs in wire form, provider references
  `<urn>::<id>`); the root `pulumi:pulumi:Stack` resource is skipped.
- `project`: `aeon.project.Project` (root, name, Pulumi.yaml) of the program.
- `config_path`: the policy config (`--policy-pack-config`); None means
  `policies/config/<stack>.json` when it exists, else the pack's defaults.
- `stack_config`: the stack's config as the CLI passes it (`project:key` -> string/JSON), sent
  to the pack as PULUMI_CONFIG and ConfigureStack; None reads Pulumi.<stack>.yaml.
- `session`: an already started `AnalyzerSession` to reuse (one pack start for many runs).

The report's violations carry a location (source position, else the stack config key's line);
`report.failed` is True on a mandatory violation (exit 1 per the CLI contract).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from aeon.analyzer.config import load_config_file
from aeon.analyzer.locate import fill_locations
from aeon.analyzer.pack import project_python
from aeon.analyzer.report import PolicyReport, Violation
from aeon.analyzer.session import AnalyzerSession, open_session
from aeon.engine.config import load_stack_config
from aeon.engine.model import Resource
from aeon.project import Project

PACK_DIR = "policies"

__all__ = [
    "AnalyzerSession",
    "PolicyReport",
    "Violation",
    "check_resources",
    "default_config_path",
    "open_project_session",
]


def default_config_path(project: Project, stack: str) -> Path | None:
    path = project.root / PACK_DIR / "config" / f"{stack}.json"
    return path if path.is_file() else None


def open_project_session(
    project: Project,
    stack: str,
    stack_config: Mapping[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> AnalyzerSession:
    """A not-yet-started session for the project's pack, with the project's interpreter."""
    return open_session(
        project.root / PACK_DIR,
        python=project_python(project.root, project.definition),
        project=project.name,
        stack=stack,
        stack_config=stack_config,
        extra_env=extra_env,
    )


def check_resources(
    resources: Iterable[Resource],
    project: Project,
    stack: str,
    config_path: Path | None = None,
    *,
    stack_config: Mapping[str, str] | None = None,
    session: AnalyzerSession | None = None,
    plan_file: Path | None = None,
    plan_lines: Mapping[str, int] | None = None,
) -> PolicyReport:
    resources = list(resources)
    if stack_config is None:
        stack_config = load_stack_config(project, stack)
    path = config_path or default_config_path(project, stack)
    policy_config = load_config_file(path) if path else {}
    source = str(path) if path else "policy config"

    def run(active: AnalyzerSession) -> PolicyReport:
        return active.run(
            resources,
            project=project.name,
            stack=stack,
            stack_config=stack_config,
            policy_config=policy_config,
            config_source=source,
        )

    if session is not None:
        report = run(session)
    else:
        with open_project_session(project, stack, stack_config) as started:
            report = run(started)
    stack_file = project.root / f"Pulumi.{stack}.yaml"
    return fill_locations(
        report,
        {r.urn: r for r in resources},
        root=project.root,
        stack_file=stack_file if stack_file.is_file() else None,
        plan_file=plan_file,
        plan_lines=plan_lines,
    )
