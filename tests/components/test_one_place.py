"""Markup and colours live in one place: templates/components/ (and static/css). Python
shapes data and calls a component; it never writes a tag or holds a colour."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "tests", "migrations", "staticfiles", "node_modules", ".git", "bench"}

# Where Python may legitimately hold these, and why.
ALLOWED = {
    # Markdown an admin typed, rendered and cleaned by nh3: the library writes the markup.
    "organizations/markdown.py": {"mark_safe"},
    # A strategic theme's colour is the company's data (an admin picks it), not a style.
    "organizations/models.py": {"colour"},
    "demo/okrs.py": {"colour"},
    "demo/scale.py": {"colour"},
}

# A tag with its attributes or its end (``<span class=``, ``<tr>``, ``</td>``), not a mention
# of one in prose (``a <select> of every person``).
TAG = re.compile(
    r"<(?:/?(?:span|svg|tr|td|th|li|ul|ol|div|table|option|optgroup|select|input|rect|"
    r"circle|line|polyline|text|path|title|desc|a|p|strong|em|button|form|label)"
    r"(?:\s+[\w:-]+=|\s*/?>))"
)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\brgba?\(")
MARKUP_CALLS = {"format_html", "format_html_join", "mark_safe"}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]):
            continue
        yield relative.as_posix(), path


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _findings():
    findings = []
    for name, path in _python_files():
        allowed = ALLOWED.get(name, set())
        tree = ast.parse(path.read_text(), filename=name)
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings:
                    continue
                if TAG.search(node.value):
                    findings.append(f"{name}:{node.lineno}: markup {node.value[:60]!r}")
                if COLOUR.search(node.value) and "colour" not in allowed:
                    findings.append(f"{name}:{node.lineno}: colour {node.value[:60]!r}")
            elif isinstance(node, ast.Call):
                func = node.func
                called = getattr(func, "id", None) or getattr(func, "attr", None)
                if called in MARKUP_CALLS and called not in allowed:
                    findings.append(f"{name}:{node.lineno}: {called}()")
            elif isinstance(node, ast.ImportFrom) and node.module in {
                "django.utils.html",
                "django.utils.safestring",
            }:
                names = {alias.name for alias in node.names} & MARKUP_CALLS
                if names - allowed:
                    findings.append(f"{name}:{node.lineno}: imports {sorted(names)}")
    return findings


def test_no_markup_or_colour_literals_in_python():
    assert _findings() == []


def test_the_check_would_catch_markup_and_colours():
    """The check itself: it finds a tag and a colour, and skips docstrings."""
    tree = ast.parse(
        "def f():\n"
        '    """Builds a <select> of every person."""\n'
        "    format_html('<span class=\"x\">{}</span>', 1)\n"
        "    return '#3b3fd8'\n"
    )
    docstrings = _docstrings(tree)
    strings = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]
    assert any(TAG.search(s) for s in strings)
    assert any(COLOUR.search(s) for s in strings)
    assert "Builds a <select> of every person." not in strings  # prose in a docstring


def test_components_hold_no_colour_literals():
    """Colours are classes the CSS defines; a component names a class, never a colour."""
    for path in (ROOT / "templates" / "components").iterdir():
        text = path.read_text()
        assert not COLOUR.search(text), path.name
        assert not re.search(r"\sstyle=\"", text), path.name  # the CSP forbids inline styles


def test_progress_bar_is_defined_once():
    """One progress bar: its SVG track appears in one component file and nowhere else."""
    holders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and 'class="bar-bg"' in path.read_text()
    ]
    assert holders == ["templates/components/progress_bar.jinja"]
