"""The case text's Markdown -> HTML, rendered once at sync (trusted, but still sanitised).

Python-Markdown silently stops nesting block quotes near the recursion limit,
raises RecursionError for lists only after seconds of work, and is quadratic
in unclosed brackets and in abbreviations. A case text uses a small fraction
of each limit below, so a text past one is refused before rendering
(`shape_problem`).
"""
from __future__ import annotations

import re
import threading

import markdown
import nh3

MAX_BLOCK_DEPTH = 50
DEEP_BLOCK_RE = re.compile(
    rf"^[ \t]*(?:(?:>|[-*+](?=[ \t])|[0-9]{{1,9}}[.)](?=[ \t]))[ \t]*){{{MAX_BLOCK_DEPTH + 1}}}",
    re.MULTILINE,
)
MAX_INDENT = 4 * MAX_BLOCK_DEPTH  # columns: each nested list level indents four more
MAX_BRACKETS = 500  # "[" in one text: a link or a footnote uses one or two
MAX_ANGLES = 5000  # "<" in one text: raw HTML tags, autolinks
MAX_ABBREVIATIONS = 20  # "*[ABBR]: ..." definitions: each one scans the whole text
ABBREVIATION_RE = re.compile(r"^[ ]{0,3}\*\[[^\]\n]*\]:", re.MULTILINE)

# Repo Markdown is trusted, but raw HTML scripts never reach a page.
CASE_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
    "td", "sup", "sub", "abbr", "img", "figure", "figcaption",
}
CASE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}

_converters = threading.local()


def _converter() -> markdown.Markdown:
    # One converter per thread, reset before each text: building one with its
    # extensions costs more than converting a case's text.
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=["extra", "sane_lists"], output_format="html")
    return converter


def render(text: str) -> str:
    """Render an editor's Markdown to HTML with raw scripts and handlers removed.

    Raises RecursionError on nesting `shape_problem` did not catch.
    """
    html = _converter().reset().convert(text)
    return nh3.clean(
        html, tags=CASE_TAGS, attributes=CASE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener",
    )


def shape_problem(text: str) -> tuple[int, str] | None:
    """(line offset, message) if the Markdown is too deep or too dense to render safely."""
    def line_at(index: int) -> int:
        return text.count("\n", 0, index)

    deep = DEEP_BLOCK_RE.search(text)
    if deep:
        return line_at(deep.start()), "the Markdown is nested too deeply"
    for offset, line in enumerate(text.split("\n")):
        expanded = line.expandtabs(4)
        if len(expanded) - len(expanded.lstrip(" ")) > MAX_INDENT:
            return offset, "the Markdown is indented too deeply"
    for char, limit in (("[", MAX_BRACKETS), ("<", MAX_ANGLES)):
        if text.count(char) > limit:
            index = -1
            for _ in range(limit + 1):
                index = text.index(char, index + 1)
            return line_at(index), f"the Markdown has more than {limit} '{char}' characters"
    for number, match in enumerate(ABBREVIATION_RE.finditer(text), start=1):
        if number > MAX_ABBREVIATIONS:
            return (line_at(match.start()),
                    f"the Markdown defines more than {MAX_ABBREVIATIONS} abbreviations")
    return None
