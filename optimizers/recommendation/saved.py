"""The saved recommendations, `.aeon/recommendations/<stack>.json`: one entry per planner run.

    {"version": 2, "stack": "prod", "runs": [
      {"planner": "rightsizing", "mode": "ours", "source": "csv", "generated_at": "...Z",
       "inputs_hash": "sha256:...", "inputs": {"telemetry": "csv", "catalog": "..."},
       "options": {"lookback": "14d", ...}, "recommendations": [...], "utilization": [...]},
      {"planner": "commitments", ...}]}

A planner's run replaces only its own entry (`record_run`, under a lock: two planners run at
once both land). `aeon apply` and `aeon report` read every entry. A version-1 file (one
right-sizing run at the top level, as `aeon recommend` wrote before planners) reads as one entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from components.facts.files import exclusive_lock, parse_json, read_text, write_text_atomic
from optimizers.errors import InputError
from optimizers.recommendation.common import Kind, Model
from optimizers.recommendation.kinds import Recommendation
from optimizers.recommendation.sizing import Mode, PoolUtilization, SizingRecommendation

FORMAT_VERSION = 2


class PlannerRun(Model):
    planner: str
    mode: str | None = Field(default=None, description="the planner's policy, e.g. ours, krr")
    source: str | None = Field(default=None, description="where its main input came from")
    generated_at: str = Field(description="ISO 8601 UTC")
    inputs_hash: str = Field(description="sha256 over every input and option that shaped it")
    inputs: dict[str, str] = Field(default_factory=dict, description="input -> its origin")
    options: dict[str, Any] = Field(default_factory=dict, description="options as used")
    recommendations: list[Recommendation]
    utilization: list[PoolUtilization] = Field(
        default_factory=list, description="per-pool busy-ness distributions (charts)"
    )

    @property
    def monthly_saving_usd(self) -> float:
        return round(sum(r.monthly_saving_usd or 0.0 for r in self.recommendations), 2)

    def covered_resources(self) -> list[str]:
        return [t for r in self.recommendations for t in r.targets]


class RecommendationsFile(Model):
    version: Literal[2] = FORMAT_VERSION
    stack: str
    runs: list[PlannerRun] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_entry_per_planner(self) -> RecommendationsFile:
        names = [r.planner for r in self.runs]
        if len(names) != len(set(names)):
            raise ValueError(f"more than one entry for a planner: {names}")
        return self

    @property
    def recommendations(self) -> list[Recommendation]:
        return [r for run in self.runs for r in run.recommendations]

    @property
    def utilization(self) -> list[PoolUtilization]:
        return [u for run in self.runs for u in run.utilization]

    @property
    def monthly_saving_usd(self) -> float:
        return round(sum(run.monthly_saving_usd for run in self.runs), 2)

    def covered_resources(self) -> list[str]:
        return [t for run in self.runs for t in run.covered_resources()]

    def run(self, planner: str) -> PlannerRun | None:
        return next((r for r in self.runs if r.planner == planner), None)

    def run_of(self, recommendation_id: str) -> PlannerRun | None:
        return next(
            (
                run
                for run in self.runs
                if any(r.id == recommendation_id for r in run.recommendations)
            ),
            None,
        )

    def with_run(self, run: PlannerRun) -> RecommendationsFile:
        """This file with `run` in place of its planner's entry (appended when it has none)."""
        runs = [run if r.planner == run.planner else r for r in self.runs]
        if self.run(run.planner) is None:
            runs.append(run)
        return self.model_copy(update={"runs": runs})


class _VersionOne(Model):
    """The file before planners: one right-sizing run at the top level."""

    version: Literal[1] = 1
    stack: str
    generated_at: str
    inputs_hash: str
    mode: Mode
    source: str
    catalog_source: str
    recommendations: list[SizingRecommendation]
    utilization: list[PoolUtilization] = Field(default_factory=list)

    def upgrade(self) -> RecommendationsFile:
        run = PlannerRun(
            planner="rightsizing",
            mode=self.mode.value,
            source=self.source,
            generated_at=self.generated_at,
            inputs_hash=self.inputs_hash,
            inputs={"telemetry": self.source, "catalog": self.catalog_source},
            recommendations=list(self.recommendations),
            utilization=list(self.utilization),
        )
        return RecommendationsFile(stack=self.stack, runs=[run])


def recommendations_path(root: Path, stack: str) -> Path:
    return root / ".aeon" / "recommendations" / f"{stack}.json"


def parse(text: str, source: str = "recommendations file") -> RecommendationsFile:
    """Either version; ValueError (pydantic's, UnreadableFile or InputError) when it is neither."""
    data = parse_json(text, source)
    version = data.get("version", 1) if isinstance(data, dict) else None
    if version == 1:
        return _VersionOne.model_validate(data).upgrade()
    if version == FORMAT_VERSION:
        return RecommendationsFile.model_validate(data)
    raise InputError(
        f"format version {version!r}: this aeon reads versions 1 and {FORMAT_VERSION} "
        "(a newer aeon wrote it?)"
    )


def load(path: Path) -> RecommendationsFile:
    return parse(read_text(path, "recommendations file"), f"recommendations file {path}")


def save(result: RecommendationsFile, path: Path) -> None:
    """Write atomically (a reader sees the old file or the new one, never half of one); the
    file replaced is kept as `<stack>.json.prev`, so a run saved by mistake can be undone."""
    write_text_atomic(path, result.model_dump_json(indent=2) + "\n", keep_previous=True)


def thinner(previous: PlannerRun | None, run: PlannerRun) -> list[str]:
    """Resources the saved run had recommendations for and `run` lacks data on: a run from
    thinner telemetry (a broken exporter, a shorter window) would put less in their place."""
    if previous is None:
        return []
    informed = {
        t for r in previous.recommendations if r.kind != Kind.NOT_ENOUGH_DATA for t in r.targets
    }
    thin = {t for r in run.recommendations if r.kind == Kind.NOT_ENOUGH_DATA for t in r.targets}
    return sorted(informed & thin)


def record_run(
    path: Path, stack: str, run: PlannerRun, *, replace: bool = False
) -> RecommendationsFile:
    """Put `run` in the file in place of its planner's previous entry; the others stay. A file
    that cannot be read is left as it is (InputError): nothing saved is ever lost. Nor is a
    recommendation replaced by not-enough-data unless `replace`: InputError names them."""
    with exclusive_lock(path.parent / f".{path.name}.lock"):
        current = RecommendationsFile(stack=stack)
        if path.exists():
            try:
                current = load(path)
            except (ValueError, ValidationError) as exc:
                raise InputError(
                    f"{path}: cannot add this run to it, it is not a recommendations file "
                    f"({str(exc).splitlines()[0]}); move it away and run again"
                ) from None
            if current.stack != stack:
                raise InputError(f"{path} holds stack {current.stack!r}, not {stack!r}")
        lost = thinner(current.run(run.planner), run)
        if lost and not replace:
            shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            raise InputError(
                f"{len(lost)} resource(s) with saved recommendations lack data in this run "
                f"({shown}): nothing was saved, the saved run knows more. Check the telemetry "
                "(an exporter down? a shorter window?), or pass --replace to save it anyway"
            )
        updated = current.with_run(run)
        save(updated, path)
        return updated


def to_jsonable(result: RecommendationsFile) -> dict[str, Any]:
    return result.model_dump(mode="json")
