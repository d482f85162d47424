"""The comment blog's settings as plain values, so its functions never read the app's config."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommentSettings:
    """What the comment functions need to know about this deployment (SPEC §9)."""

    per_page: int  # threads on one page of a case
    require_vote: bool  # only readers who voted may comment
    moderation: str  # "post": shown at once; "pre": held for an editor (config.py checks it)
    edit_window: int  # seconds an author may edit or delete their comment
    secret_key: str | bytes = field(repr=False)  # signs the authors' cookies

    @classmethod
    def from_config(cls, config: Mapping) -> CommentSettings:
        """The settings from an app's config mapping (`current_app.config`)."""
        return cls(per_page=config["COMMENTS_PER_PAGE"],
                   require_vote=config["COMMENTS_REQUIRE_VOTE"],
                   moderation=config["COMMENTS_MODERATION"],
                   edit_window=config["COMMENT_EDIT_WINDOW"],
                   secret_key=config["SECRET_KEY"])

    @property
    def pre_moderated(self) -> bool:
        return self.moderation == "pre"
