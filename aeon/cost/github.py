"""One sticky pull-request comment through GitHub's REST API: find ours by its marker and
update it, else create it (the same as the sticky-comment actions, with no action to pin).

    upsert_comment(GitHubApi.from_env(), pr=42, body=text, marker=marker("prod"))

Needs GITHUB_TOKEN (a workflow's token with `pull-requests: write`) and GITHUB_REPOSITORY;
GITHUB_API_URL is honoured for GitHub Enterprise Server.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aeon.errors import UserError

PAGE_SIZE = 100
MAX_PAGES = 50


@dataclass(frozen=True)
class GitHubApi:
    base_url: str
    repository: str
    token: str
    opener: Callable[..., Any] = urllib.request.urlopen

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> GitHubApi:
        env = os.environ if environ is None else environ
        missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(k)]
        if missing:
            raise UserError(
                f"--post-pr needs {' and '.join(missing)} in the environment (set by GitHub "
                "Actions; pass the token as `env: GITHUB_TOKEN: ${{ github.token }}`)"
            )
        base = env.get("GITHUB_API_URL") or "https://api.github.com"
        return cls(base.rstrip("/"), env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"])

    def call(self, method: str, path: str, payload: dict | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            data=None if payload is None else json.dumps(payload).encode(),
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
            },
        )
        try:
            with self.opener(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            hint = " (the workflow needs `permissions: pull-requests: write`)" if exc.code in (
                403, 404) else ""  # fmt: skip
            raise UserError(f"GitHub {method} {path}: HTTP {exc.code}{hint}: {detail}") from None
        except urllib.error.URLError as exc:
            raise UserError(f"GitHub {method} {path}: {exc.reason}") from None


def find_comment(api: GitHubApi, pr: int, marker: str) -> dict | None:
    for page in range(1, MAX_PAGES + 1):
        path = f"/repos/{api.repository}/issues/{pr}/comments?per_page={PAGE_SIZE}&page={page}"
        comments = api.call("GET", path) or []
        for comment in comments:
            if str(comment.get("body", "")).startswith(marker):
                return comment
        if len(comments) < PAGE_SIZE:
            return None
    return None


def upsert_comment(api: GitHubApi, pr: int, body: str, marker: str) -> tuple[str, str]:
    """("updated" | "created", the comment's URL)."""
    existing = find_comment(api, pr, marker)
    if existing is not None:
        path = f"/repos/{api.repository}/issues/comments/{existing['id']}"
        done = api.call("PATCH", path, {"body": body})
        return "updated", str((done or {}).get("html_url", ""))
    done = api.call("POST", f"/repos/{api.repository}/issues/{pr}/comments", {"body": body})
    return "created", str((done or {}).get("html_url", ""))
