"""After `aeon apply`, `aeon policy` (the offline engine plus the pack) still accepts the stack."""

from __future__ import annotations

import json
import shutil

from aeon.cli import invoke
from tests.apply.recs import REPO, make_project


def test_policy_accepts_the_applied_stack(tmp_path, capsys):
    root = make_project(tmp_path)
    shutil.rmtree(root / "policies")
    shutil.copytree(
        REPO / "policies", root / "policies", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / ".venv").symlink_to(REPO / ".venv")  # the project's interpreter starts the pack
    assert invoke(["apply", "--stack", "prod", "--cwd", str(root)]) == 0
    config = json.loads((root / "policies/config/prod.json").read_text())
    assert "system" in config["recommendation-enforced"]["pools"]
    capsys.readouterr()
    assert invoke(["policy", "--stack", "prod", "--format", "json", "--cwd", str(root)]) == 0
    out = capsys.readouterr().out
    assert "recommendation-enforced" not in json.dumps(
        [v for v in json.loads(out).get("violations", [])]
    )
