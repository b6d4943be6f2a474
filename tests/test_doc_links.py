"""Every relative link in the documentation resolves: to a file or folder of the repository, and
when it names an anchor (``page.md#part``), to a heading of that page or an explicit
``<a id="part">`` / ``<a name="part">`` in it.

Checked: ``README.md``, ``CONTRIBUTING.md`` and every ``docs/**/*.md``. Links are markdown's
inline links and images (``[text](target)``, ``![alt](target)``), reference definitions
(``[name]: target``) and ``href``/``src`` attributes of HTML tags; links inside code (fenced
blocks and backtick spans) are not links. Web addresses (``http:``, ``https:``, ``mailto:``)
are not fetched. Headings are turned into anchors as GitHub does (lower case; characters other
than letters, digits, spaces, hyphens and underscores dropped; each space a hyphen; a repeated
heading gets ``-1``, ``-2``, ...).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")],
    key=lambda p: p.as_posix(),
)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # [text], one level of nested brackets allowed
    r"\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"  # (target "optional title")
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
HTML_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(?:href|src)\s*=\s*[\"']([^\"']*)[\"']")
HTML_ANCHOR = re.compile(r"<a\s[^>]*?(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")


def prose(text: str) -> list[tuple[int, str]]:
    """The page's lines outside fenced code blocks, numbered from 1."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) <= {fence[0]}:
                fence = None
            continue
        lines.append((number, line))
    return lines


def without_code_spans(line: str) -> str:
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading's text."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their text
    text = re.sub(r"<[^>]+>", "", text)  # HTML tags
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """Every anchor a link into ``page`` may name."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    lines = prose(page.read_text(encoding="utf-8"))
    for index, (_, line) in enumerate(lines):
        match = HEADING.match(line)
        text = match.group(2) if match else None
        if text is None and index > 0 and SETEXT.match(line):
            previous = lines[index - 1][1].strip()
            if previous and not HEADING.match(previous):
                text = previous
        if text is not None:
            base = slug(text)
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ANCHOR.findall(line))
    return frozenset(found)


def links(page: Path) -> list[tuple[int, str]]:
    """``(line number, target)`` of every link on the page."""
    out = []
    lines = prose(page.read_text(encoding="utf-8"))
    for number, line in lines:
        visible = without_code_spans(line)
        for pattern in (INLINE_LINK, HTML_ATTRIBUTE):
            out.extend((number, target) for target in pattern.findall(visible))
    text = "\n".join(without_code_spans(line) for _, line in lines)
    out.extend((0, target) for target in REFERENCE.findall(text))
    return out


def problem(page: Path, target: str) -> str | None:
    """Why ``target`` (a link on ``page``) does not resolve, or None."""
    if not target or EXTERNAL.match(target):
        return None
    path_part, _, anchor = target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    destination = (page.parent / path_part).resolve() if path_part else page
    try:
        destination.relative_to(ROOT)
    except ValueError:
        return "points outside the repository"
    if not destination.exists():
        return "no such file or folder"
    if anchor and destination.suffix == ".md" and unquote(anchor) not in anchors(destination):
        return f"{destination.relative_to(ROOT)} has no heading or anchor #{anchor}"
    return None


def broken(page: Path) -> list[str]:
    return [
        f"{page.relative_to(ROOT)}:{number}: {target}: {why}"
        for number, target in links(page)
        if (why := problem(page, target)) is not None
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_resolves(page):
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    assert not broken(page), "broken links:\n" + "\n".join(broken(page))


def test_the_index_lists_every_page_of_docs():
    index = ROOT / "docs" / "README.md"
    linked = {
        (index.parent / unquote(t.partition("#")[0])).resolve()
        for _, t in links(index)
        if not EXTERNAL.match(t)
    }
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "docs").rglob("*.md"))
        if p != index and p.resolve() not in linked
    ]
    assert not missing, f"docs/README.md does not link: {missing}"


def test_the_readme_links_its_pages():
    """The README's links (the pages a newcomer starts from) are all still there."""
    targets = {t.partition("#")[0] for _, t in links(ROOT / "README.md")}
    for page in (
        "CONTRIBUTING.md",
        "docs/README.md",
        "docs/scenarios.md",
        "docs/sensitivity.md",
        "docs/i18n.md",
        "docs/distributed.md",
        "docs/model.md",
        "docs/mechanisms.md",
        "docs/app.md",
        "docs/workshop/README.md",
        "docs/validation.md",
        "docs/calibration.md",
        "docs/performance.md",
        "docs/NOTES.md",
        "docs/figures/readme_awareness.png",
    ):
        assert page in targets, f"README.md no longer links {page}"


def test_a_broken_link_is_found(tmp_path, monkeypatch):
    """The checker itself: a missing file, a missing anchor and a link in code."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "b.md").write_text("# Part one\n\n## Part `two` (2)\n\n<a id='x1'></a>\n")
    page = tmp_path / "a.md"
    page.write_text(
        "[ok](b.md#part-one) [ok](b.md#part-two-2) [ok](b.md#x1) [ok](#top) ![i](b.md)\n"
        "[gone](c.md) [no anchor](b.md#part-three)\n"
        "`[code](d.md)`\n\n```\n[fenced](e.md)\n```\n\n# Top\n\n[ref]: f.md\n"
    )
    anchors.cache_clear()
    try:
        found = broken(page)
    finally:
        anchors.cache_clear()
    assert len(found) == 3, found
    assert "c.md: no such file" in found[0]
    assert "#part-three" in found[1]
    assert "f.md" in found[2]
