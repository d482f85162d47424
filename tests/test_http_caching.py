"""HTTP caching: ETag and 304 from what a response depends on, Cache-Control by who it is for."""
from __future__ import annotations

import pytest

from tests.comment_helpers import Commenter, make_blog
from tests.conftest import Reader


@pytest.fixture
def blog(make_app, dilemmas_dir):
    return make_blog(make_app, dilemmas_dir)


def revalidate(client, path: str, etag: str, **headers):
    return client.get(path, headers={"If-None-Match": etag, **headers})


def test_case_page_answers_304_to_the_same_reader_until_something_changes(blog):
    reader = Reader(blog.test_client())
    first = reader.client.get("/dilemmas/aaben")
    etag = first.headers["ETag"]
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"  # it carries a CSRF token
    again = revalidate(reader.client, "/dilemmas/aaben", etag)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag

    Reader(blog.test_client()).vote("aaben", "2")  # another reader's vote moves a tally
    moved = revalidate(reader.client, "/dilemmas/aaben", etag)
    assert moved.status_code == 200 and moved.headers["ETag"] != etag


def test_another_readers_etag_is_not_this_readers(blog):
    """The page holds each reader's own CSRF token: one reader's copy never fits another."""
    etag = blog.test_client().get("/dilemmas/aaben").headers["ETag"]
    other = blog.test_client()
    other.get("/dilemmas/aaben")
    assert revalidate(other, "/dilemmas/aaben", etag).status_code == 200


def test_a_new_comment_changes_the_case_page(blog):
    reader = Commenter(blog.test_client())
    reader.vote("aaben", "1")
    reader.client.get("/dilemmas/aaben")  # the flash message is shown once
    etag = reader.client.get("/dilemmas/aaben").headers["ETag"]
    assert revalidate(reader.client, "/dilemmas/aaben", etag).status_code == 304
    other = Commenter(blog.test_client())
    other.vote("aaben", "1")
    etag = reader.client.get("/dilemmas/aaben").headers["ETag"]
    assert other.comment(body="En ny kommentar.").status_code == 303
    changed = revalidate(reader.client, "/dilemmas/aaben", etag)
    assert changed.status_code == 200
    assert "En ny kommentar." in changed.get_data(as_text=True)


def test_a_page_with_a_flash_message_is_never_cached(blog):
    reader = Reader(blog.test_client())
    reader.vote("aaben", "3")
    page = reader.client.get("/dilemmas/aaben")
    assert "Tak for din stemme." in page.get_data(as_text=True)
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_the_language_is_part_of_the_version(blog):
    client = blog.test_client()
    danish = client.get("/dilemmas/aaben", headers={"Accept-Language": "da"})
    english = revalidate(client, "/dilemmas/aaben", danish.headers["ETag"],
                         **{"Accept-Language": "en"})
    assert english.status_code == 200 and english.headers["ETag"] != danish.headers["ETag"]
    assert "Accept-Language" in english.headers["Vary"]


def test_archive_for_a_reader_without_cookies_may_be_kept_by_a_shared_cache(blog):
    response = blog.test_client().get("/dilemmas")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=10"
    assert "Set-Cookie" not in response.headers
    assert {"Cookie", "Accept-Language"} <= set(response.headers["Vary"].split(", "))
    assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_archive_of_a_voter_is_theirs_alone(blog):
    reader = Reader(blog.test_client())
    reader.vote("aaben", "4")
    reader.client.get("/dilemmas/aaben")  # the flash is shown
    response = reader.client.get("/dilemmas")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert revalidate(reader.client, "/dilemmas", response.headers["ETag"]).status_code == 304


def test_api_and_feeds_answer_304_and_may_be_shared(blog):
    client = blog.test_client()
    for path in ("/api/dilemmas", "/api/dilemmas/aaben", "/feed.xml",
                 "/dilemmas/aaben/comments.xml"):
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["Cache-Control"] == "public, max-age=10", path
        assert revalidate(client, path, first.headers["ETag"]).status_code == 304, path
    etag = client.get("/api/dilemmas/aaben").headers["ETag"]
    Reader(blog.test_client()).vote("aaben", "5")
    assert revalidate(client, "/api/dilemmas/aaben", etag).status_code == 200
    etag = client.get("/api/dilemmas").headers["ETag"]
    Reader(blog.test_client()).vote("anden", "5")
    assert revalidate(client, "/api/dilemmas", etag).status_code == 200


def test_a_refusal_is_never_cached(blog):
    response = blog.test_client().get("/dilemmas/findes-ikke")
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_public_exports_answer_304_and_record_level_ones_are_never_kept(blog, make_reader):
    client = blog.test_client()
    for path in ("/export/tallies.csv", "/export/timeseries.json", "/export/datapackage.json"):
        first = client.get(path)
        assert first.status_code == 200 and first.get_data(), path  # a stream: read it all
        assert first.headers["Cache-Control"] == "public, max-age=10", path
        assert revalidate(client, path, first.headers["ETag"]).status_code == 304, path
    tallies = client.get("/export/tallies.csv")
    etag = tallies.headers["ETag"]
    tallies.get_data()
    Reader(blog.test_client()).vote("aaben", "1")
    changed = revalidate(client, "/export/tallies.csv", etag)
    assert changed.status_code == 200 and changed.get_data()
    refused = client.get("/export/votes.csv")
    assert refused.status_code == 401 and "ETag" not in refused.headers
