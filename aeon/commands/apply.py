"""`aeon apply`: write saved recommendations into Pulumi.<stack>.yaml and the policy config.

Both files change together or not at all: the edited stack config is validated with the settings
schema and the policy entry with its model before anything is written; then both are written
through a journal (aeon/journal.py), so even a process killed between the two renames leaves a
change the next command completes.
"""

from __future__ import annotations

import difflib
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from aeon.app import CwdOption, StackOption, app, format_option
from aeon.errors import UserError
from components.facts.files import UnreadableFile, parse_json, read_text

POLICY = "recommendation-enforced"


class MaxRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"


class ApplyFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def apply(
    stack: StackOption,
    ids: Annotated[
        str | None, typer.Option("--ids", help="Comma-separated recommendation ids (default: all).")
    ] = None,
    max_risk: Annotated[
        MaxRisk | None, typer.Option("--max-risk", help="Only recommendations up to this risk.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
    ] = False,
    output: Annotated[ApplyFormat, format_option()] = ApplyFormat.TEXT,
    cwd: CwdOption = None,
) -> None:
    """Apply .aeon/recommendations/<stack>.json to the stack's pools and the policy config."""
    from aeon.journal import write_together
    from aeon.project import find_project
    from aeon.saved_recommendations import load_saved
    from optimizers.apply import UnknownIds, plan_apply, select

    project = find_project(cwd)
    stack_path = project.stack_file(stack)
    recset = load_saved(project, stack)
    settings = _settings(project, stack, read_text(stack_path, "stack file"))
    wanted = None if ids is None else ids.split(",")
    try:
        selected = select(recset, ids=wanted, max_risk=max_risk.value if max_risk else None)
    except UnknownIds as exc:
        raise UserError(
            f"unknown recommendation id(s): {', '.join(exc.ids)}; "
            f"`aeon report --stack {stack}` lists the saved ones"
        ) from None
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    plan = plan_apply(recset, settings, selected, applied_at=now)

    old_stack = read_text(stack_path, "stack file")
    new_stack = edit_stack_text(old_stack, plan, settings, stack_path)
    new_settings = _settings(project, stack, new_stack, edited=True)
    _check_result(new_settings, plan)
    policy_path = project.root / "policies" / "config" / f"{stack}.json"
    old_policy = read_text(policy_path, "policy config") if policy_path.exists() else None
    new_policy = edit_policy_text(old_policy, plan, policy_path)

    writes = [(stack_path, old_stack, new_stack), (policy_path, old_policy or "", new_policy)]
    changed = [(p, old, new) for p, old, new in writes if new is not None and new != old]
    diff = "".join(
        unified_diff(old, new, str(p.relative_to(project.root))) for p, old, new in changed
    )
    if changed and not dry_run:
        write_together(project.root, [(p, new) for p, _, new in changed])
    if output is ApplyFormat.JSON:
        doc: dict[str, Any] = plan.model_dump(mode="json")
        doc.update(
            dry_run=dry_run, written=[] if dry_run else [str(p) for p, _, _ in changed], diff=diff
        )
        typer.echo(json.dumps(doc, indent=2))
    else:
        if diff:
            typer.echo(diff, nl=False)
        _print_summary(plan, dry_run)
    verb = "would write" if dry_run else "wrote"
    for path, _, _ in changed:
        typer.echo(f"{verb} {path}", err=True)
    if not changed:
        typer.echo("nothing to change", err=True)


def unified_diff(old: str, new: str, name: str, context: int = 3) -> str:
    """difflib's unified format without its autojunk heuristic, which treats lines repeated in a
    long file (`max_size: 8`) as junk and shows them as changed."""
    a, b = old.splitlines(True), new.splitlines(True)
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"] if a != b else []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        i1, j1 = group[0][1], group[0][3]
        i2, j2 = group[-1][2], group[-1][4]
        out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in a[a1:a2]]
                continue
            out += ["-" + line for line in a[a1:a2]]
            out += ["+" + line for line in b[b1:b2]]
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _settings(project, stack: str, text: str, edited: bool = False):
    from aeon.settings_loader import load_settings

    try:
        return load_settings(project, stack, text)
    except UserError as exc:
        if edited:
            raise UserError(
                f"applying would make an invalid stack config; nothing written: {exc}"
            ) from None
        raise


def _config_key(doc, name: str, project: str = "aeon-infra") -> str:
    """The key as the file spells it (namespaced or bare); the namespaced form when absent."""
    for key in (f"{project}:{name}", name):
        if doc.node(["config", key]) is not None:
            return key
    return f"{project}:{name}"


def edit_stack_text(text: str, plan, settings, path: Path) -> str:
    from aeon.stack_file import StackFileText

    if not plan.applied:
        return text
    try:
        return _edit(StackFileText(text, path), plan, settings, path)
    except ValueError as exc:  # a layout the text editor does not handle (e.g. flow-style pools)
        raise UserError(f"{path}: cannot edit in place: {exc}; nothing written") from None


def _doc_path(doc, path: list[str], file: Path) -> list:
    """A settings path (named list items by name) as a path in the file's YAML."""
    from aeon.stack_file import item_index

    out: list = ["config", _config_key(doc, path[0])]
    for part in path[1:]:
        index = item_index(doc, out, part)
        if index is None and doc.node([*out, 0]) is not None:
            raise UserError(f"{file}: no item named {part!r} under {'.'.join(map(str, out[1:]))}")
        out.append(part if index is None else index)
    return out


def _edit(doc, plan, settings, path: Path) -> str:
    from aeon.stack_file import pool_index
    from optimizers.apply import CAPACITY_KEYS

    pools_key = _config_key(doc, "pools")
    for edit in plan.edits:
        index = pool_index(doc, pools_key, edit.pool)
        if index is None:
            raise UserError(f"{path}: pool {edit.pool!r} is not written in the file's {pools_key}")
        base = ["config", pools_key, index]
        for key, (_, new) in edit.before.diff(edit.after).items():
            if key in CAPACITY_KEYS:
                doc.set([*base, "capacity", key], new)
            elif key == "time_slicing_replicas":
                if doc.node([*base, "gpu_sharing"]) is None:
                    doc.set([*base, "gpu_sharing"], {"time_slicing_replicas": new})
                else:
                    doc.set([*base, "gpu_sharing", "time_slicing_replicas"], new)
            else:
                doc.set([*base, key], new)
    new_blocks: dict[tuple, dict] = {}  # keys the file leaves to their defaults, by the block
    for change in plan.config_edits:
        if change.after is None:
            raise UserError(f"{path}: cannot remove {change.key}; edit it by hand")
        at = _doc_path(doc, change.path, path)
        known = len(at) - 1
        while known > 2 and doc.node(at[:known]) is None:
            known -= 1
        if known == len(at) - 1:
            doc.set(at, change.after)
            continue
        block = new_blocks.setdefault(tuple(at[: known + 1]), {})
        for part in at[known + 1 : -1]:
            block = block.setdefault(part, {})
        block[at[-1]] = change.after
    for at, block in new_blocks.items():  # written whole: the editor sees the file as it was
        doc.set(list(at), block)
    rec_key = _config_key(doc, "recommendations")
    applied = [
        a.model_dump(mode="json") for a in (*settings.recommendations.applied, *plan.applied)
    ]
    if doc.node(["config", rec_key]) is None:
        doc.set(
            ["config", rec_key],
            {"max_step_pct": settings.recommendations.max_step_pct, "applied": applied},
        )
    else:
        doc.set(["config", rec_key, "applied"], applied)
    return doc.render()


def _check_result(new_settings, plan) -> None:
    """The re-read config must hold what the plan computed (a guard on the text edits)."""
    from optimizers.apply import PoolState
    from optimizers.apply_config import current_value

    for change in plan.config_edits:
        if current_value(new_settings, change.path) != change.after:
            raise RuntimeError(f"stack file edit of {change.key} did not read back as planned")
    pools = {p.name: p for p in new_settings.pools}
    for edit in plan.edits:
        if PoolState.of(pools[edit.pool]) != edit.after:
            raise RuntimeError(f"stack file edit of pool {edit.pool} did not read back as planned")


def edit_policy_text(text: str | None, plan, path: Path) -> str | None:
    """The policy config with this apply's pools set under recommendation-enforced.pools."""
    from aeon.analyzer.sync import dumps_compact
    from optimizers.apply_capacity import with_purchases

    if not plan.enforced and not plan.purchases:
        return text
    try:
        data = parse_json(text, f"policy config {path}") if text else {}
    except UnreadableFile as exc:
        raise UserError(f"{exc}; nothing written") from None
    if not isinstance(data, dict):
        raise UserError(f"policy config {path}: expected a JSON object; nothing written")
    if plan.enforced:
        entry = data.get(POLICY)
        if isinstance(entry, str):  # a bare enforcement level
            entry = {"enforcementLevel": entry}
        entry = dict(entry or {})
        pools = dict(entry.get("pools") or {})
        for name, enforced in plan.enforced.items():
            pools[name] = enforced.model_dump(mode="json")
        entry["pools"] = dict(sorted(pools.items()))
        data[POLICY] = entry
    if plan.purchases:  # commitments to buy: recorded, never written as held (apply_capacity)
        data = with_purchases(data, plan.purchases)
    return dumps_compact(dict(sorted(data.items()))) + "\n"


def _print_summary(plan, dry_run: bool = False) -> None:
    verb = "would apply" if dry_run else "applied"
    what = f"{len(plan.applied)} recommendation(s) to {len(plan.edits)} pool(s)"
    lines = [f"{verb} {what}" + (" (dry run: nothing written)" if dry_run else "")]
    lines += [f"  {c.key}: {_short(c.before)} -> {_short(c.after)}" for c in plan.config_edits]
    for edit in plan.edits:
        changes = ", ".join(
            f"{k} {_short(old)} -> {_short(new)}"
            for k, (old, new) in edit.before.diff(edit.after).items()
        )
        lines.append(f"  {edit.pool}: {changes or 'already as recommended'}")
        lines += [f"    {note}" for note in edit.notes]
    if plan.purchases:
        lines.append(
            f"recorded {len(plan.purchases)} commitment(s) to buy in the policy config (aeon "
            "buys nothing; once bought, raise capacity.committed of the pools they cover):"
        )
        lines += [f"  {rec_id}: {_purchase(p.commitment)}" for rec_id, p in plan.purchases.items()]
    reasons: dict[str, list[Any]] = {}
    for s in plan.skipped:
        reasons.setdefault(s.reason, []).append(s)
    for reason, items in sorted(reasons.items()):
        lines.append(f"{reason}: {len(items)}")
        if reason in ("not-applicable", "not-applicable-yet", "deferred"):
            lines += [f"  {s.id} ({s.kind}, {s.pool}): {s.detail}" for s in items]
    typer.echo("\n".join(lines))


def _purchase(c: Any) -> str:
    what = f"{c.units} x {c.instance_type} in {c.region}" if c.units is not None else "compute"
    return f"{c.type} {what}, {c.term} {c.payment}, ${c.usd_per_hour:,.5f}/h"


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"[{value[0]}, ...]" if len(value) > 2 else str(value)
    return str(value)
