"""The pull-request comment: golden Markdown from fixtures, the verdict from the pack's real
SARIF, the recommendations, the size limit, and the sticky update through a GitHub-shaped API
served on 127.0.0.1."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aeon.cost.github import GitHubApi, find_comment, upsert_comment
from aeon.cost.recommendations import RecommendationRow, top_recommendations
from aeon.cost.verdict import Finding, Verdict, from_sarif
from aeon.errors import UserError
from aeon.output.pr_comment import GITHUB_BODY_LIMIT, marker, render_comment
from aeon.project import find_project
from optimizers.costing import diff_reports
from tests.apply.recs import make_project
from tests.costing.plans import urn
from tests.costing.prices import load, price_plan
from tests.helpers import REPO, run_cli
from tests.policy.cases import case_plan

GOLDEN = Path(__file__).parent / "costing" / "golden" / "pr-comment.md"
VERDICT = Verdict(
    (
        Finding(
            "advisory",
            "asg-spot-diversified",
            "aws:autoscaling/group:Group::inference",
            "2 instance types; want at least 10",
            "list more interchangeable types",
        ),
        Finding(
            "mandatory",
            "s3-public-access-blocked",
            "aws:s3/bucket:Bucket::datasets",
            "BlockPublicPolicy is false; required: true",
            "set all four flags to true",
        ),
    ),
    "`aeon-guardrails` v0.1.0",
)


def _diff():
    base = load("autoscaling-group")
    head = copy.deepcopy(base)
    asg = next(
        s for s in head["steps"] if s["urn"] == urn("aws:autoscaling/group:Group", "inference")
    )
    asg["newState"]["inputs"]["desiredCapacity"] = 6.0
    head["steps"] += [
        s for s in load("networking")["steps"] if s["urn"].endswith(("::edge-tcp", "::sa-east-1"))
    ]
    return diff_reports(price_plan(base), price_plan(head), base_label="origin/main")


def test_comment_matches_the_golden_markdown(update_golden):
    rows = [
        RecommendationRow(
            "rec-1",
            "downsize",
            "system",
            "us-east-1",
            "m7i.2xlarge x1 -> m6i.xlarge x1",
            70.0,
            "low",
        )
    ]
    body = render_comment("costfix", VERDICT, _diff(), rows, "1 with a saving, generated today")
    if update_golden:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(body)
    assert body == GOLDEN.read_text()
    assert body.startswith(marker("costfix") + "\n")
    # the verdict comes first, mandatory findings before advisory ones
    assert body.index("### Policy verdict") < body.index("### Monthly cost")
    assert body.index("s3-public-access-blocked") < body.index("asg-spot-diversified")


def test_the_body_fits_githubs_limit():
    many = Verdict(tuple(
        Finding("mandatory", f"p{i}", f"aws:s3/bucket:Bucket::b{i}", "x" * 400, "y" * 200)
        for i in range(400)), "pack")  # fmt: skip
    body = render_comment("prod", many, _diff(), [], "none")
    assert len(body) <= GITHUB_BODY_LIMIT and body.startswith(marker("prod"))
    assert "more findings" in body


def test_verdict_from_the_packs_real_sarif(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(case_plan("s3-public-access-blocked", "positive")))
    result = run_cli("policy", "--plan", str(plan), "--format", "sarif", "--cwd", str(REPO))
    assert result.code == 1  # a mandatory violation
    sarif = tmp_path / "policy.sarif"
    sarif.write_text(result.out)
    verdict = from_sarif(sarif)
    (finding,) = [f for f in verdict.findings if f.policy == "s3-public-access-blocked"]
    assert finding.level == "mandatory"
    assert finding.resource.startswith("aws:s3/bucket")
    assert finding.fix  # the policy's remediation, from the rule's description
    assert verdict.findings[0].level == "mandatory"
    (tmp_path / "bad.sarif").write_text('{"runs": [{}]}')
    with pytest.raises(UserError, match="not a SARIF 2.1.0 log"):
        from_sarif(tmp_path / "bad.sarif")


def test_top_recommendations_largest_savings_first(tmp_path):
    project = find_project(make_project(tmp_path))
    rows, note = top_recommendations(project, "prod", 3)
    assert [r.monthly_saving_usd for r in rows] == [900.0, 587.0, 140.0]
    assert rows[0].pool == "inference" and "g5.12xlarge" in rows[0].change
    assert "generated 2026-11-28" in note
    missing, why = top_recommendations(project, "dev", 3)
    assert missing == [] and "no saved recommendations" in why


def test_cli_writes_the_comment(tmp_path):
    sarif = tmp_path / "policy.sarif"
    sarif.write_text(json.dumps({"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "aeon-guardrails", "version": "0.1.0", "rules": []}},
         "results": []}]}))  # fmt: skip
    out = tmp_path / "comment.md"
    result = run_cli(
        "pr-comment",
        "--cwd",
        str(REPO),
        "--stack",
        "dev",
        "--base",
        "HEAD",
        "--sarif",
        str(sarif),
        "--out",
        str(out),
        "--price-date",
        "2026-12-01",
    )
    assert result.code == 0, result.err
    body = out.read_text()
    assert body.startswith(marker("dev"))
    assert ":white_check_mark: **0 mandatory**" in body and "### Monthly cost" in body


# --- the sticky update, against a GitHub-shaped API on 127.0.0.1 ----------------------------


class FakeGitHub(ThreadingHTTPServer):
    def __init__(self, comments: list[dict], status: int = 200):
        super().__init__(("127.0.0.1", 0), Handler)
        self.comments, self.status, self.calls = comments, status, []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: FakeGitHub

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def _reply(self, payload, status=200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self):  # noqa: N802
        self.server.calls.append(("GET", self.path, self.headers["Authorization"]))
        if self.server.status != 200:
            return self._reply(
                {"message": "Resource not accessible by integration"}, self.server.status
            )
        page = int(self.path.split("&page=")[1])
        self._reply(self.server.comments[(page - 1) * 100 : page * 100])

    def do_PATCH(self):  # noqa: N802
        self.server.calls.append(("PATCH", self.path, self._body()["body"]))
        self._reply({"html_url": "https://github.test/c/9"})

    def do_POST(self):  # noqa: N802
        self.server.calls.append(("POST", self.path, self._body()["body"]))
        self._reply({"html_url": "https://github.test/c/new"}, 201)


@pytest.fixture
def github():
    servers = []

    def start(comments, status=200):
        server = FakeGitHub(comments, status)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        api = GitHubApi.from_env({"GITHUB_TOKEN": "t0k", "GITHUB_REPOSITORY": "aeon/infra",
                                  "GITHUB_API_URL": server.url})  # fmt: skip
        return server, api

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_existing_comment_found_by_its_marker_on_page_two_is_updated(github):
    others = [{"id": i, "body": f"comment {i}"} for i in range(100)]
    ours = {"id": 9, "body": marker("prod") + "\nold body"}
    server, api = github([*others, {"id": 7, "body": marker("dev") + "\n"}, ours])
    action, url = upsert_comment(api, 42, marker("prod") + "\nnew body", marker("prod"))
    assert (action, url) == ("updated", "https://github.test/c/9")
    assert server.calls[-1] == (
        "PATCH",
        "/repos/aeon/infra/issues/comments/9",
        marker("prod") + "\nnew body",
    )
    assert server.calls[0][2] == "Bearer t0k"
    assert [c[1] for c in server.calls[:2]] == [
        "/repos/aeon/infra/issues/42/comments?per_page=100&page=1",
        "/repos/aeon/infra/issues/42/comments?per_page=100&page=2",
    ]


def test_no_comment_with_the_marker_creates_one(github):
    server, api = github([{"id": 1, "body": "LGTM"}])
    assert find_comment(api, 42, marker("prod")) is None
    action, _ = upsert_comment(api, 42, marker("prod") + "\nbody", marker("prod"))
    assert action == "created"
    assert server.calls[-1][:2] == ("POST", "/repos/aeon/infra/issues/42/comments")


def test_forbidden_is_a_user_error_naming_the_permission(github):
    _, api = github([], status=403)
    with pytest.raises(UserError, match="pull-requests: write"):
        upsert_comment(api, 42, "x", marker("prod"))


def test_posting_needs_the_token_and_repository():
    with pytest.raises(UserError, match="GITHUB_TOKEN and GITHUB_REPOSITORY"):
        GitHubApi.from_env({})
