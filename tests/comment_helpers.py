"""Helpers shared by the comment tests: a commenting reader and a look at what is stored."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select

from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Comment
from tests.conftest import Reader, write_case


def make_blog(make_app, dilemmas_dir, **config):
    """An app with an open case, a second open case and a closed one (and nothing else)."""
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "aaben", title="Åben case")
    write_case(dilemmas_dir, "anden", title="Anden åben case", publish="2020-02-03")
    write_case(dilemmas_dir, "lukket", title="Lukket case", publish="2020-01-06",
               closes="2020-01-13T12:00")
    write_case(dilemmas_dir, "kladde", title="Kladde", extra="draft: true")
    return make_app(**config)


def comment_settings(app, **changes) -> CommentSettings:
    """The app's comment settings, with `changes` (e.g. require_vote=False) on top."""
    return replace(CommentSettings.from_config(app.config), **changes)


class Commenter(Reader):
    """A reader who votes and comments through the real pages."""

    _token: str | None = None

    def csrf(self) -> str:
        if self._token is None:
            self._token = self.token("/dilemmas/aaben")
        return self._token

    def comment(self, slug: str = "aaben", body: str = "Fordi alle skal høres.",
                name: str = "Anne", **extra):
        data = {"name": name, "body": body, "csrf_token": self.csrf(), **extra}
        return self.client.post(f"/dilemmas/{slug}/comments", data=data)

    def post(self, path: str, **data):
        return self.client.post(path, data={"csrf_token": self.csrf(), **data})

    def page(self, path: str = "/dilemmas/aaben") -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


@dataclass
class Stored:
    id: int
    name: str
    body_md: str
    body_html: str
    status: str
    parent_id: int | None
    option_number: int | None
    option_changed: bool
    report_count: int


def stored_comments(app, slug: str = "aaben") -> list[Stored]:
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        rows = db.session.scalars(
            select(Comment).where(Comment.case_id == case.id).order_by(Comment.id)).all()
        return [Stored(c.id, c.name, c.body_md, c.body_html, c.status, c.parent_id,
                       c.option_number, c.option_changed, c.report_count) for c in rows]


def all_comments(app) -> list[Stored]:
    with app.app_context():
        rows = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        return [Stored(c.id, c.name, c.body_md, c.body_html, c.status, c.parent_id,
                       c.option_number, c.option_changed, c.report_count) for c in rows]


def comment_count(app, slug: str = "aaben") -> int:
    with app.app_context():
        return db.session.scalar(select(Case.comment_count).where(Case.slug == slug))


def comment_ids_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', page)]


def comments_section(page: str) -> str:
    start = page.index('<section class="comments"')
    return page[start:page.index("</section>", start)]


# --- what "no executable markup" means --------------------------------------

SAFE_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
SAFE_ATTRIBUTES = {"href", "title", "rel", "start"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def parse_tags(html: str):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_no_executable_markup(html: str) -> None:
    """Only allow-listed tags and attributes; links only to http(s)/mailto; no handlers."""
    for tag, attrs in parse_tags(html):
        assert tag in SAFE_TAGS, f"tag <{tag}> in {html!r}"
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES, f"attribute {name} in {html!r}"
            if name == "href":
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, f"href {value!r} in {html!r}"
            if tag == "a" and name == "rel":
                assert value == "nofollow ugc noopener"
    lowered = html.lower()
    for needle in ("<script", "<img", "<svg", "<iframe", "<style", "<object", "<math",
                   "<noscript", "<form", "<base", "<meta", "<details", "<!--"):
        assert needle not in lowered, f"{needle} in {html!r}"


def assert_page_has_no_injected_code(page: str) -> None:
    """The whole page: the only script is our own file; no handler attributes anywhere."""
    for tag, attrs in parse_tags(page):
        for name, value in attrs:
            assert not name.startswith("on"), f"<{tag} {name}=...> on the page"
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")), value
        if tag == "script":
            assert dict(attrs).get("src", "").startswith("/static/"), attrs
