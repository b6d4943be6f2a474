"""No HTML is assembled from Python strings in the pages' code: markup lives in templates.

report.html is rendered from Jinja2 templates (``sim/outputs/templates/``), the teaching kit's
worksheets, keys and slides too (``sim/workshop/templates/``), and the app's scoreboard, legend
and control labels (``sim/viz/templates/``), autoescaping on (issue 27). This test reads every
module under ``sim/`` and fails on a string literal or f-string holding an HTML or SVG tag
(``<b>``, ``</td>``, ``<table class=...``, ``<svg``) or a character reference (``&ndash;``),
docstrings excepted. A new piece of a page goes into a template or a partial.

The rule is exact rather than exempting files: a tag is ``<`` (or ``</``) and the name of an
HTML or SVG element (``ELEMENTS``), so the placeholders of help texts and error messages
(``results/<scenario>/<timestamp>``, ``arms.<arm name>.<field>``, ``"<series>"``) and a regular
expression's named group (``(?P<line>``) are not markup; ``<source>`` is left out of the
elements, since it is also Python's name for a text without a file (``ast.parse(text,
"<source>")``) and no page plays media. A string that is exactly one of the five entities an
escaping function writes (``"&amp;"``, ``"&lt;"``, ``"&gt;"``, ``"&quot;"``, ``"&#39;"``) is the
escaping itself (``sim.viz.markup.escape``), not markup.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"  # every module of the package (templates are not Python)
# HTML's elements (WHATWG) and SVG's, without "source" (see above).
ELEMENTS = frozenset(
    """a abbr address area article aside audio b base bdi bdo blockquote body br button canvas
    caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe
    img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol
    optgroup option output p picture pre progress q rp rt ruby s samp script search section
    select slot small span strong style sub summary sup table tbody td template textarea tfoot
    th thead time title tr track u ul var video wbr
    svg g defs symbol use circle ellipse line polyline polygon rect path text tspan textPath
    image marker pattern clipPath mask filter linearGradient radialGradient stop foreignObject
    animate animateTransform""".split()  # noqa: SIM905 (a list of words reads better as text)
)
TAG = re.compile(r"(?<!\?P)</?([A-Za-z][A-Za-z0-9]*)(?=[\s/>])")
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
ESCAPES = frozenset({"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x27;", "&#34;"})


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module and its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def is_markup(text: str) -> bool:
    """Whether ``text`` holds an element's tag or a character reference (rules above)."""
    if any(match.group(1) in ELEMENTS for match in TAG.finditer(text)):
        return True
    return text not in ESCAPES and ENTITY.search(text) is not None


def html_in_strings(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each string literal (or literal part of an f-string) with markup."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and id(node) not in skip and is_markup(node.value):
            found.append((node.lineno, node.value))
    return sorted(found)


def python_files() -> list[Path]:
    return sorted(p for p in SIM.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_check_finds_html_in_strings_and_f_strings():
    planted = (
        '"""A docstring may say <b> and <details>."""\n'
        'a = "<b>" + name + "</b>"\n'
        "b = f\"<td class='up'>{x}</td>\"\n"
        "c = '<br>'.join(lines)\n"
        'd = "x < y and 3<4"\n'
        'e = "a -> b, <= 3"\n'
        "f = f\"<svg width='{w}'><circle r='4'/></svg>\"\n"
        'g = "B&minus;A " + low + " &ndash; " + high\n'
        'h = "results/<scenario>/<timestamp>; arms.<arm name>.<field>"\n'
        'i = re.compile(r"(?P<line>\\d+) (?P<span>x)")\n'
        'j = ast.parse(text, "<source>")\n'
        'k = text.replace("&", "&amp;").replace("<", "&lt;")\n'
        'l = "&amp;lt;"\n'
    )
    assert [line for line, _ in html_in_strings(planted)] == [2, 2, 3, 3, 4, 7, 7, 8, 8, 13]


def test_the_report_code_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    assert {"sim/outputs/report.py", "sim/outputs/pages.py", "sim/outputs/setup_words.py"} <= names


def test_every_module_of_the_package_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    app = {"scoreboard.py", "control_panel.py", "views.py", "app.py", "runbar.py", "markup.py"}
    assert {f"sim/viz/{name}" for name in app} | {"sim/cli.py", "sim/api.py"} <= names
    assert len(names) == len(list(SIM.rglob("*.py")))


def test_the_kit_code_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    kit = {"pages.py", "markdown.py", "build.py", "figures.py", "texts.py", "pdf.py"}
    assert {f"sim/workshop/{name}" for name in kit} <= names


@pytest.mark.parametrize("path", python_files(), ids=lambda p: p.name)
def test_no_html_is_assembled_in_python(path):
    found = html_in_strings(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: move this markup into a template: {found}"
