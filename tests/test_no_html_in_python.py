"""No HTML is assembled from Python strings in the pages' code: markup lives in templates.

report.html is rendered from Jinja2 templates (``sim/outputs/templates/``), the teaching kit's
worksheets, keys and slides too (``sim/workshop/templates/``), autoescaping on (issue 27). This
test reads every module of ``sim/outputs`` and ``sim/workshop`` (where the pages' code is) and
fails on a string literal or f-string holding an HTML tag (``<b>``, ``</td>``, ``<table
class=...``), docstrings excepted. A new piece of a page goes into a template or a partial.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim/outputs", "sim/workshop")  # the pages' Python code (templates are not Python)
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?=[\s/>])")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of a module and its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def html_in_strings(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each string literal (or literal part of an f-string) with a tag."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and id(node) not in skip and TAG.search(node.value):
            found.append((node.lineno, node.value))
    return sorted(found)


def python_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_the_check_finds_html_in_strings_and_f_strings():
    planted = (
        '"""A docstring may say <b> and <details>."""\n'
        'a = "<b>" + name + "</b>"\n'
        "b = f\"<td class='up'>{x}</td>\"\n"
        "c = '<br>'.join(lines)\n"
        'd = "x < y and 3<4"\n'
        'e = "a -> b, <= 3"\n'
    )
    assert [line for line, _ in html_in_strings(planted)] == [2, 2, 3, 3, 4]


def test_the_report_code_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    assert {"sim/outputs/report.py", "sim/outputs/pages.py", "sim/outputs/setup_words.py"} <= names


def test_the_kit_code_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    kit = {"pages.py", "markdown.py", "build.py", "figures.py", "texts.py", "pdf.py"}
    assert {f"sim/workshop/{name}" for name in kit} <= names


@pytest.mark.parametrize("path", python_files(), ids=lambda p: p.name)
def test_no_html_is_assembled_in_python(path):
    found = html_in_strings(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: move this markup into a template: {found}"
