"""Case files (SPEC §2): a pure loader from a Markdown file to a validated record.

No Flask here: `load_file` turns bytes into a `CaseRecord` or raises `CaseError`
carrying located problems (`path:line: message`). `load_dir` loads a folder,
skips every broken file and reports duplicate slugs, so one bad file never
stops the others.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown
import nh3
import yaml

MAX_FILE_BYTES = 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_DEPTH = 20
SLUG_RE = re.compile(r"^[a-z0-9-]{1,80}$")
UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
FOLLOWUP_MARKER = "<!-- followup -->"
RESULT_MODES = ("after_vote", "always", "after_close")
KNOWN_KEYS = (
    "title", "publish", "closes", "language", "slug", "source", "results",
    "shuffle", "draft", "tags", "options", "imported_votes",
)
DEFAULT_OPEN_DAYS = 7
# Python-Markdown silently stops nesting block quotes near the recursion limit,
# raises RecursionError for lists only after seconds of work, and is quadratic
# in unclosed brackets and in abbreviations. A case text uses a small fraction
# of each limit below, so a file past one is refused before rendering.
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


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class CaseError(Exception):
    """A case file broke a rule; `problems` says where and how."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class CaseRecord:
    path: str
    slug: str
    title: str
    language: str
    publish_at: datetime  # naive UTC
    closes_at: datetime  # naive UTC
    source: str | None
    results: str
    shuffle: bool
    draft: bool
    tags: list[str]
    options: list[str]
    imported_votes: list[int]
    body_md: str
    followup_md: str
    body_html: str
    followup_html: str
    content_hash: str
    slug_line: int | None = None
    option_lines: list[int | None] = field(default_factory=list)


_converters = threading.local()


def _markdown_converter() -> markdown.Markdown:
    # One converter per thread, reset before each text: building a Markdown instance
    # with its extensions cost more than converting a case's text (bench/: sync).
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=["extra", "sane_lists"], output_format="html")
    return converter


def render_trusted_markdown(text: str) -> str:
    """Render an editor's Markdown to HTML with raw scripts and handlers removed."""
    html = _markdown_converter().reset().convert(text)
    return nh3.clean(
        html, tags=CASE_TAGS, attributes=CASE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener",
    )


def markdown_shape_problem(text: str) -> tuple[int, str] | None:
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


def content_hash(raw: bytes, site_timezone: str, default_locale: str) -> str:
    """Hash of a file plus the settings that change how it loads."""
    digest = hashlib.sha256(f"{site_timezone}\0{default_locale}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def _decode(path: str, raw: bytes) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise CaseError([Problem(path, None, f"file is over 1 MiB ({len(raw)} bytes)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError([Problem(path, line, "file is not valid UTF-8")]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CaseError([Problem(path, line, "file contains a NUL character")])
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(path: str, text: str) -> tuple[str, str, int]:
    """Return (front matter, body, first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CaseError([Problem(path, 1, "file must start with '---' and YAML front matter")])
    size = 0  # a running total: re-summing every line each time is quadratic
    for index in range(1, len(lines)):
        # Only an unindented `---` closes: an indented one belongs to a YAML value.
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            if len(front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
                raise CaseError([Problem(path, 2, "front matter is over 64 KiB")])
            return front, "\n".join(lines[index + 1:]), index + 2
        size += len(lines[index].encode("utf-8")) + 1
        if size > MAX_FRONT_MATTER_BYTES:
            raise CaseError([Problem(path, 2, "front matter is over 64 KiB")])
    raise CaseError([Problem(path, 1, "front matter is not closed with '---'")])


def _check_events(path: str, front: str, loader=yaml.SafeLoader) -> None:
    """Refuse aliases, anchors and deep nesting before anything is built."""
    depth = 0
    try:
        for event in yaml.parse(front, Loader=loader):
            line = event.start_mark.line + 2
            if isinstance(event, yaml.AliasEvent):
                raise CaseError([Problem(path, line, "YAML aliases are not allowed")])
            if getattr(event, "anchor", None) is not None:
                raise CaseError([Problem(path, line, "YAML anchors are not allowed")])
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise CaseError([Problem(path, line, "YAML is nested too deeply")])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise CaseError([_yaml_problem(path, exc)]) from None


def _yaml_problem(path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 2 if mark is not None else None
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


# libyaml's parser, where PyYAML has it, reads a valid file about ten times faster
# (bench/: sync of 1,000 files). A file it refuses is read again by the pure-Python
# loader, so every problem is still reported in the same words at the same line.
_FastLocatingLoader = (
    type("_FastLocatingLoader", (_Locating, yaml.CSafeLoader), {})
    if getattr(yaml, "__with_libyaml__", False) else None
)


def _parse_yaml(path: str, front: str) -> tuple[dict, dict[str, tuple[yaml.Node, yaml.Node]]]:
    if _FastLocatingLoader is not None:
        try:
            return _parse_yaml_with(path, front, yaml.CSafeLoader, _FastLocatingLoader)
        except CaseError:
            pass
    return _parse_yaml_with(path, front, yaml.SafeLoader, _LocatingLoader)


def _parse_yaml_with(path: str, front: str, events_loader,
                     locating_loader) -> tuple[dict, dict[str, tuple[yaml.Node, yaml.Node]]]:
    _check_events(path, front, events_loader)
    loader = locating_loader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CaseError([Problem(path, 2, "front matter is empty")])
        if not isinstance(node, yaml.MappingNode):
            raise CaseError([Problem(path, node.start_mark.line + 2,
                                     "front matter must be a mapping of keys to values")])
        # key -> (key node, value node): problems point at the key's line, which for
        # a block list like `options:` is not the line its first item is on.
        value_nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 2
            if not isinstance(key_node, yaml.ScalarNode):
                raise CaseError([Problem(path, line, "keys must be plain names")])
            if key_node.tag == "tag:yaml.org,2002:merge":
                # `<<` would splice keys in unchecked (and is the aliases' partner).
                raise CaseError([Problem(path, line, "YAML merge keys ('<<') are not allowed")])
            if key in value_nodes:
                raise CaseError([Problem(path, line, f"duplicate key '{key}'")])
            value_nodes[key] = (key_node, value_node)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise CaseError([_yaml_problem(path, exc)]) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors raise these for values like `2008-13-45`,
        # `!!bool maybe` or an integer of 5,000 digits.
        bad = loader.current_node
        line = bad.start_mark.line + 2 if bad is not None else None
        value = bad.value[:40] if isinstance(bad, yaml.ScalarNode) else ""
        why = f": {exc}" if isinstance(exc, (ValueError, OverflowError)) else ""
        raise CaseError([Problem(path, line, f"bad value {value!r}{why[:120]}")]) from None
    finally:
        loader.dispose()
    return data, value_nodes


def _to_utc(value: object, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime | None:
    """Accept a YAML date, datetime or ISO string; naive values are in the site zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01 or 9999-12-31 shifted out of range
        return None


def _check_keys(path: str, data: dict, nodes: dict) -> list[Problem]:
    problems = []
    for key in data:
        if key not in KNOWN_KEYS:
            hint = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else ""
            line = _line(nodes, str(key))
            problems.append(Problem(path, line, f"unknown key '{key}'{more}"))
    return problems


def _line(nodes: dict[str, tuple[yaml.Node, yaml.Node]], key: str) -> int | None:
    pair = nodes.get(key)
    return pair[0].start_mark.line + 2 if pair is not None else None


def _validate_options(path, data, nodes, problems) -> tuple[list[str], list[int | None]]:
    options = data.get("options")
    line = _line(nodes, "options")
    if not isinstance(options, list):
        problems.append(Problem(path, line or 2, "options must be a list of exactly five answers"))
        return [], []
    item_nodes = getattr(nodes["options"][1], "value", []) if "options" in nodes else []
    lines = [n.start_mark.line + 2 for n in item_nodes] if len(item_nodes) == len(options) else []
    if len(options) != 5:
        problems.append(Problem(path, line, f"expected exactly 5 options, found {len(options)}"))
    texts = []
    for number, option in enumerate(options, start=1):
        where = lines[number - 1] if lines else line
        if isinstance(option, (dict, list)) or option is None:
            problems.append(Problem(path, where, f"option {number} is empty or not text"))
            texts.append("")
            continue
        text = str(option).strip()
        if not text:
            problems.append(Problem(path, where, f"option {number} is empty"))
        texts.append(text)
    return texts, lines


def _validate_imported(path, data, nodes, problems) -> list[int]:
    imported = data.get("imported_votes")
    if imported is None:
        return [0, 0, 0, 0, 0]
    ok = (
        isinstance(imported, list) and len(imported) == 5
        and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 10**9
                for n in imported)
    )
    if not ok:
        problems.append(Problem(path, _line(nodes, "imported_votes"),
                                "imported_votes must be five non-negative whole numbers"))
        return [0, 0, 0, 0, 0]
    return list(imported)


def _text_field(path, data, nodes, key, problems, *, required=False, limit=300) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.append(Problem(path, 2, f"missing '{key}'"))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(Problem(path, _line(nodes, key), f"'{key}' must be text"))
        return None
    text = str(value).strip()
    if required and not text:
        problems.append(Problem(path, _line(nodes, key), f"'{key}' is empty"))
    if len(text) > limit:
        problems.append(Problem(path, _line(nodes, key), f"'{key}' is over {limit} characters"))
    return text or None


def _validate_flag(path, data, nodes, key, problems) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.append(Problem(path, _line(nodes, key), f"'{key}' must be true or false"))
        return False
    return value


def _validate_dates(path, data, nodes, tz, problems) -> tuple[datetime | None, datetime | None]:
    publish_raw = data.get("publish")
    publish = None
    if publish_raw is None:
        problems.append(Problem(path, 2, "missing 'publish'"))
    else:
        publish = _to_utc(publish_raw, tz)
        if publish is None:
            problems.append(Problem(path, _line(nodes, "publish"),
                                    f"bad date for 'publish': {publish_raw!r}"))
    closes = None
    if data.get("closes") is not None:
        closes = _to_utc(data["closes"], tz)
        if closes is None:
            problems.append(Problem(path, _line(nodes, "closes"),
                                    f"bad date for 'closes': {data['closes']!r}"))
    elif publish is not None:
        try:
            closes = publish + timedelta(days=DEFAULT_OPEN_DAYS)
        except OverflowError:
            problems.append(Problem(path, _line(nodes, "publish"),
                                    f"bad date for 'publish': {publish_raw!r}"))
    if publish is not None and closes is not None and closes <= publish:
        problems.append(Problem(path, _line(nodes, "closes"), "'closes' is before 'publish'"))
    return publish, closes


def load_text(path: str, raw: bytes, *, site_timezone: str = "Europe/Copenhagen",
              default_locale: str = "da") -> CaseRecord:
    """Validate one case file's bytes; raise CaseError with every problem found."""
    text = _decode(path, raw)
    front, body, body_line = _split_front_matter(path, text)
    data, nodes = _parse_yaml(path, front)
    tz = ZoneInfo(site_timezone)
    problems = _check_keys(path, data, nodes)

    title = _text_field(path, data, nodes, "title", problems, required=True)
    source = _text_field(path, data, nodes, "source", problems)
    publish, closes = _validate_dates(path, data, nodes, tz, problems)

    language = data.get("language", default_locale)
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        problems.append(Problem(path, _line(nodes, "language"),
                                f"bad language {language!r} (use a code like 'da' or 'en')"))
    stem = Path(path).stem
    slug = data.get("slug", stem)
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        where = "slug" if "slug" in data else "file name"
        problems.append(Problem(path, _line(nodes, "slug") or 1,
                                f"bad slug {slug!r} from the {where}: use [a-z0-9-]{{1,80}}"))
    results = data.get("results", "after_vote")
    if results not in RESULT_MODES:
        problems.append(Problem(path, _line(nodes, "results"),
                                f"bad results mode {results!r}: use one of "
                                + ", ".join(RESULT_MODES)))
    shuffle = _validate_flag(path, data, nodes, "shuffle", problems)
    draft = _validate_flag(path, data, nodes, "draft", problems)
    tags = data.get("tags", []) or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        problems.append(Problem(path, _line(nodes, "tags"), "tags must be a list of words"))
        tags = []
    options, option_lines = _validate_options(path, data, nodes, problems)
    imported = _validate_imported(path, data, nodes, problems)

    body_md, _, followup_md = body.partition(FOLLOWUP_MARKER)
    if not body_md.strip():
        problems.append(Problem(path, None, "the case text (after the front matter) is empty"))
    shape = markdown_shape_problem(body)
    if shape:
        problems.append(Problem(path, body_line + shape[0], shape[1]))
    for number, option in enumerate(options, start=1):
        shape = markdown_shape_problem(option)
        if shape:
            where = option_lines[number - 1] if option_lines else _line(nodes, "options")
            problems.append(Problem(path, where, f"option {number}: {shape[1]}"))
    if problems:
        raise CaseError(problems)
    try:
        body_html = render_trusted_markdown(body_md)
        followup_html = render_trusted_markdown(followup_md) if followup_md.strip() else ""
    except RecursionError:  # Python-Markdown recurses per level of nested lists
        raise CaseError([Problem(path, body_line, "the Markdown is nested too deeply")]) from None
    return CaseRecord(
        path=path, slug=slug, title=title, language=language, publish_at=publish,
        closes_at=closes, source=source, results=results, shuffle=shuffle, draft=draft,
        tags=[str(t) for t in tags], options=options, imported_votes=imported,
        body_md=body_md.strip(), followup_md=followup_md.strip(),
        body_html=body_html, followup_html=followup_html,
        content_hash=content_hash(raw, site_timezone, default_locale),
        slug_line=_line(nodes, "slug"), option_lines=option_lines,
    )


def load_file(path: Path | str, **settings) -> CaseRecord:
    """Read and validate one file from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CaseError([Problem(str(path), None, f"file is over 1 MiB ({size} bytes)")])
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseError([Problem(str(path), None, f"cannot read file: {exc.strerror}")]) from None
    return load_text(str(path), raw, **settings)


def case_files(directory: Path | str) -> list[Path]:
    """The case files of a folder, in a stable order."""
    return sorted(p for p in Path(directory).glob("*.md") if p.is_file())


def find_duplicate_slugs(slugs_by_path: dict[str, str]) -> dict[str, list[str]]:
    """Map each slug used by more than one file to those files."""
    seen: dict[str, list[str]] = {}
    for path, slug in slugs_by_path.items():
        seen.setdefault(slug, []).append(path)
    return {slug: paths for slug, paths in seen.items() if len(paths) > 1}


def duplicate_problems(duplicates: dict[str, list[str]]) -> list[Problem]:
    problems = []
    for slug, paths in duplicates.items():
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            problems.append(Problem(path, None, f"duplicate slug '{slug}' (also used by {others})"))
    return problems


def load_dir(directory: Path | str, **settings) -> tuple[list[CaseRecord], list[Problem]]:
    """Load every case file; broken files and every file of a duplicate slug are skipped."""
    records: list[CaseRecord] = []
    problems: list[Problem] = []
    for path in case_files(directory):
        try:
            records.append(load_file(path, **settings))
        except CaseError as exc:
            problems.extend(exc.problems)
    duplicates = find_duplicate_slugs({r.path: r.slug for r in records})
    if duplicates:
        problems.extend(duplicate_problems(duplicates))
        records = [r for r in records if r.slug not in duplicates]
    return records, problems
