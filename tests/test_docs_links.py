"""Every `docs/<file>.md#<heading>` the code cites exists (file and heading), and so does every
link between the docs; facts are cited from docs/, never from notes outside the repository."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SKIPPED_DIRS = {
    ".venv",
    ".venv-validators",
    ".git",
    "__pycache__",
    "docs",
    "node_modules",
    "build",
    "dist",
}
CITING_SUFFIXES = {".py", ".csv", ".toml", ".yaml", ".yml", ".txt", ".md", ".cfg"}
CITATION = re.compile(r"docs/([\w.-]+\.md)(?:#([\w-]+))?")
DOC_LINK = re.compile(r"\]\(([\w.-]+\.md)?(?:#([\w-]+))?\)")
# Citations of the old notes still waiting in modules being restructured in parallel; the lead
# repoints them after the merge (see docs/README.md). Never add to this set.
PENDING_NOTES: set[str] = set()


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(name: str) -> frozenset[str]:
    text = (DOCS / name).read_text()
    return frozenset(slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M))


def citing_files() -> list[Path]:
    return sorted(
        path
        for path in REPO.rglob("*")
        if path.is_file()
        and path.suffix in CITING_SUFFIXES
        and not SKIPPED_DIRS & set(path.relative_to(REPO).parts)
    )


def citations() -> list[tuple[str, str, str | None]]:
    found = []
    for path in citing_files():
        for match in CITATION.finditer(path.read_text(errors="replace")):
            found.append((str(path.relative_to(REPO)), match.group(1), match.group(2)))
    return found


def doc_links() -> list[tuple[str, str, str | None]]:
    found = []
    for path in sorted(DOCS.glob("*.md")):
        for match in DOC_LINK.finditer(path.read_text()):
            found.append((f"docs/{path.name}", match.group(1) or path.name, match.group(2)))
    return found


def _broken(links: list[tuple[str, str, str | None]]) -> list[str]:
    broken = []
    for where, name, anchor in links:
        if not (DOCS / name).is_file():
            broken.append(f"{where}: docs/{name} does not exist")
        elif anchor and anchor not in anchors(name):
            broken.append(f"{where}: docs/{name} has no heading #{anchor}")
    return broken


def test_the_slug_is_githubs():
    assert slug("S3 lifecycle") == "s3-lifecycle"
    assert (
        slug("Time-slicing: two processes on one H200") == "time-slicing-two-processes-on-one-h200"
    )
    assert slug("The NVML counter vs GPM") == "the-nvml-counter-vs-gpm"


def test_code_cites_docs():
    assert len(citations()) >= 15


def test_every_citation_of_docs_exists():
    assert _broken(citations()) == []


def test_every_link_between_docs_exists():
    assert _broken(doc_links()) == []


def test_a_missing_heading_is_reported():
    assert _broken([("x.py", "aws-rules.md", "no-such-heading")]) == [
        "x.py: docs/aws-rules.md has no heading #no-such-heading"
    ]


def test_the_index_lists_every_doc():
    index = (DOCS / "README.md").read_text()
    missing = [p.name for p in DOCS.glob("*.md") if p.name != "README.md" and p.name not in index]
    assert missing == []


@pytest.mark.parametrize("notes", ["FACTS.md", "shared/notes"])
def test_no_code_cites_notes_outside_the_repository(notes):
    citing = {
        str(path.relative_to(REPO))
        for path in citing_files()
        if notes in path.read_text(errors="replace") and path != Path(__file__).resolve()
    }
    assert citing <= PENDING_NOTES
