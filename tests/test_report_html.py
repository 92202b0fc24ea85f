"""The HTML report rendered in Debian's headless Chromium: every chart image loads and the page is
not blank. Skipped without chromium, except under CI=true (where .ci/run installs it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from aeon.cli import invoke
from tests.report.data import make_report_project
from tests.report.png import read_png

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is not installed; CI must install it (.ci/run: apt-get install chromium)"
            )
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    return found


def browse(binary: str, tmp_path, name: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{name}"  # a new empty profile each run
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_html_report_renders_with_every_chart_loaded(tmp_path, capsys):
    binary = chromium()
    root = make_report_project(tmp_path / "proj")
    assert invoke(["report", "--stack", "prod", "--format", "html", "--cwd", str(root)]) == 0
    page = tmp_path / "report.html"
    page.write_text(capsys.readouterr().out)
    url = page.as_uri()

    dom = browse(binary, tmp_path, "dom", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    total = re.search(r'data-charts-total="(\d+)"', dom.stdout)
    loaded = re.search(r'data-charts-loaded="(\d+)"', dom.stdout)
    assert total and loaded, "the page's load script did not run"
    assert int(total.group(1)) == 3 and loaded.group(1) == total.group(1)
    assert "<title>prod report: 3 charts loaded</title>" in dom.stdout

    shot = tmp_path / "shot.png"
    run = browse(binary, tmp_path, "shot", "--window-size=900,700", f"--screenshot={shot}", url)
    assert shot.is_file(), run.stderr[-2000:]
    pixels = read_png(shot)[..., :3].reshape(-1, 3)
    colors = np.unique(pixels, axis=0)
    assert len(colors) > 20, f"screenshot looks blank ({len(colors)} colors)"
    # the charts' bar colors are on screen (blue utilization bars, green saving bars)
    assert ((pixels[:, 0] < 80) & (pixels[:, 2] > 200)).sum() > 500
    assert ((pixels[:, 1] > 130) & (pixels[:, 0] < 60) & (pixels[:, 2] < 100)).sum() > 300
