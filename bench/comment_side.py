"""Comments for the comment figures: bulk-seeded threads and the readers who POST.

    python -m bench.comment_side seed SLUG=COUNT [SLUG=COUNT ...]

Seeding writes the rows `post_comment` would write (Markdown rendered once by
the comment module's own renderer), in bulk like `flask demo seed-votes`, and
keeps `Case.comment_count` right. Every fifth comment is a reply to the
top-level comment before it; Isso's thread is seeded with the same shape.
"""
from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from bench.data import COMMENT_BODY, PYTHON, run

READERS = 500  # voted readers cycled by the comment POST figure


def reply_parent(n: int) -> int | None:
    """The index of the comment that comment `n` replies to (every fifth is a reply)."""
    return n - 4 if n % 5 == 4 else None


def seed(env: dict, counts: dict[str, int]) -> None:
    run([str(PYTHON), "-m", "bench.comment_side", "seed",
         *(f"{slug}={count}" for slug, count in counts.items())], env)


def post_requests(env: dict, path: Path, slug: str = "bench-comment") -> Path:
    """Form bodies for the comment POST, one voted reader a line, cycled by wrk."""
    from urllib.parse import urlencode

    readers = path.with_suffix(".readers")
    run([str(PYTHON), "-m", "bench.readers", "voted", slug, str(READERS), str(readers)], env)
    with open(readers, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            cookie, token = line.rstrip("\n").split("\t")
            body = urlencode({"name": f"Læser {n}", "body": COMMENT_BODY, "parent_id": "",
                              "website": "", "csrf_token": token})
            out.write(f"{cookie}\t{body}\n")
    return path


def _seed_case(session, slug: str, count: int) -> None:
    from sqlalchemy import insert, select, update

    from dilemmaboard.comments.text import render_comment_markdown
    from dilemmaboard.models import Case, Comment, Option, utcnow

    case = session.scalars(select(Case).where(Case.slug == slug)).one()
    html = render_comment_markdown(COMMENT_BODY)
    start = utcnow() - timedelta(days=3)
    ids: list[int] = []
    threads = [0] * 5  # visible top-level comments per option
    for n in range(count):
        parent = reply_parent(n)
        if parent is None:
            threads[n % 5] += 1
        new_id = session.execute(insert(Comment).values(
            case_id=case.id, parent_id=ids[parent] if parent is not None else None,
            name=f"Læser {n}", body_md=COMMENT_BODY, body_html=html,
            option_number=n % 5 + 1, option_changed=False, voter_hash=f"bench-voter-{n}",
            ip_hash=f"bench-ip-{n % 250}", status="visible", report_count=0,
            created_at=start + timedelta(seconds=n),
        ).returning(Comment.id)).scalar_one()
        ids.append(new_id)
    session.execute(update(Case).where(Case.id == case.id)
                    .values(comment_count=Case.comment_count + count,
                            visible_threads=Case.visible_threads + sum(threads)))
    for number, added in enumerate(threads, start=1):
        session.execute(update(Option).where(Option.case_id == case.id, Option.number == number)
                        .values(visible_threads=Option.visible_threads + added))
    session.commit()


def main(argv: list[str]) -> None:
    if argv[:1] != ["seed"] or len(argv) < 2:
        sys.exit(__doc__)
    from app import create_app
    from dilemmaboard.extensions import db

    app = create_app()
    with app.app_context():
        for pair in argv[1:]:
            slug, count = pair.split("=")
            _seed_case(db.session, slug, int(count))


if __name__ == "__main__":
    main(sys.argv[1:])
