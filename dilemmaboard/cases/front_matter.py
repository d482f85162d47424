"""A case file's bytes -> (front matter mapping, its nodes, body), with every problem located.

YAML is parsed safely and defensively: no aliases or anchors (the billion
laughs), no merge keys, no duplicate keys, no nesting deeper than
MAX_YAML_DEPTH, no escaped NUL or lone surrogates. Lines are the file's own:
the front matter starts on line 2.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from dilemmaboard.cases.problems import CaseError, Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_DEPTH = 20
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
FRONT_MATTER_LINE = 2  # the line of the first key

# key -> (key node, value node): a problem points at its key's line, which for a
# block list like `options:` is not the line its first item is on.
Nodes = dict[str, tuple[yaml.Node, yaml.Node]]


@dataclass
class FrontMatter:
    data: dict
    nodes: Nodes
    body: str  # the Markdown after the closing '---'
    body_line: int  # the body's first line in the file

    def line(self, key: str) -> int | None:
        """The line `key` is written on, or None when it is not there."""
        pair = self.nodes.get(key)
        return pair[0].start_mark.line + FRONT_MATTER_LINE if pair is not None else None


def decode(path: str, raw: bytes) -> str:
    """The file's text (UTF-8, no NUL, newlines as '\\n'), or CaseError."""
    if len(raw) > MAX_FILE_BYTES:
        raise CaseError.at(path, None, f"file is over 1 MiB ({len(raw)} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError.at(path, line, "file is not valid UTF-8") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CaseError.at(path, line, "file contains a NUL character")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_front_matter(path: str, text: str) -> FrontMatter:
    """Split the text at its `---` lines and parse the front matter."""
    front, body, body_line = _split(path, text)
    data, nodes = _parse_yaml(path, front)
    return FrontMatter(data=data, nodes=nodes, body=body, body_line=body_line)


def _split(path: str, text: str) -> tuple[str, str, int]:
    """Return (front matter, body, first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CaseError.at(path, 1, "file must start with '---' and YAML front matter")
    size = 0  # a running total: re-summing every line each time is quadratic
    for index in range(1, len(lines)):
        # Only an unindented `---` closes: an indented one belongs to a YAML value.
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            if len(front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
                raise CaseError.at(path, 2, "front matter is over 64 KiB")
            return front, "\n".join(lines[index + 1:]), index + 2
        size += len(lines[index].encode("utf-8")) + 1
        if size > MAX_FRONT_MATTER_BYTES:
            raise CaseError.at(path, 2, "front matter is over 64 KiB")
    raise CaseError.at(path, 1, "front matter is not closed with '---'")


def _check_events(path: str, front: str, loader) -> None:
    """Refuse aliases, anchors and deep nesting before anything is built."""
    depth = 0
    try:
        for event in yaml.parse(front, Loader=loader):
            line = event.start_mark.line + FRONT_MATTER_LINE
            if isinstance(event, yaml.AliasEvent):
                raise CaseError.at(path, line, "YAML aliases are not allowed")
            if getattr(event, "anchor", None) is not None:
                raise CaseError.at(path, line, "YAML anchors are not allowed")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise CaseError.at(path, line, "YAML is nested too deeply")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise CaseError([_yaml_problem(path, exc)]) from None


def _yaml_problem(path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + FRONT_MATTER_LINE if mark is not None else None
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Problem(path, line, f"YAML error: {reason}")


class _Locating:
    """A loader mixin that remembers the node it is building, to locate bad values."""

    current_node: yaml.Node | None = None

    def construct_object(self, node, deep=False):
        self.current_node = node
        return super().construct_object(node, deep=deep)

    def construct_scalar(self, node):
        # A UTF-8 file can still spell NUL or a lone surrogate as "\0" or "\uD800";
        # such a string cannot be rendered, stored (PostgreSQL) or exported.
        value = super().construct_scalar(node)
        if isinstance(value, str) and UNSTORABLE_RE.search(value):
            raise yaml.constructor.ConstructorError(
                None, None, "escaped NUL or surrogate characters are not allowed", node.start_mark)
        return value


class _LocatingLoader(_Locating, yaml.SafeLoader):
    """The pure-Python SafeLoader: it words and locates every problem."""


# libyaml's parser, where PyYAML has it, is much faster on a valid file. A file it
# refuses is read again by the pure-Python loader, so every problem is still
# reported in the same words at the same line.
_FastLocatingLoader = (
    type("_FastLocatingLoader", (_Locating, yaml.CSafeLoader), {})
    if getattr(yaml, "__with_libyaml__", False) else None
)


def _parse_yaml(path: str, front: str) -> tuple[dict, Nodes]:
    if _FastLocatingLoader is not None:
        try:
            return _parse_yaml_with(path, front, yaml.CSafeLoader, _FastLocatingLoader)
        except CaseError:
            pass
    return _parse_yaml_with(path, front, yaml.SafeLoader, _LocatingLoader)


def _parse_yaml_with(path: str, front: str, events_loader, locating_loader) -> tuple[dict, Nodes]:
    _check_events(path, front, events_loader)
    loader = locating_loader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CaseError.at(path, 2, "front matter is empty")
        if not isinstance(node, yaml.MappingNode):
            raise CaseError.at(path, node.start_mark.line + FRONT_MATTER_LINE,
                               "front matter must be a mapping of keys to values")
        nodes: Nodes = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + FRONT_MATTER_LINE
            if not isinstance(key_node, yaml.ScalarNode):
                raise CaseError.at(path, line, "keys must be plain names")
            if key_node.tag == "tag:yaml.org,2002:merge":
                # `<<` would splice keys in unchecked (and is the aliases' partner).
                raise CaseError.at(path, line, "YAML merge keys ('<<') are not allowed")
            if key in nodes:
                raise CaseError.at(path, line, f"duplicate key '{key}'")
            nodes[key] = (key_node, value_node)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise CaseError([_yaml_problem(path, exc)]) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors raise these for values like `2008-13-45`,
        # `!!bool maybe` or an integer of 5,000 digits.
        bad = loader.current_node
        line = bad.start_mark.line + FRONT_MATTER_LINE if bad is not None else None
        value = bad.value[:40] if isinstance(bad, yaml.ScalarNode) else ""
        why = f": {exc}" if isinstance(exc, (ValueError, OverflowError)) else ""
        raise CaseError.at(path, line, f"bad value {value!r}{why[:120]}") from None
    finally:
        loader.dispose()
    return data, nodes
