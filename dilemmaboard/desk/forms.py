"""One FlaskForm per editors' screen (CSRF through Flask-WTF): they parse, the service decides."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from dilemmaboard.comments.service import EDITOR_ACTIONS
from dilemmaboard.desk.service import BULK_MAX, REASON_MISSING, missing_reason
from dilemmaboard.models import MAX_ID

REASON_MAX = 1000


class LoginForm(FlaskForm):
    username = StringField(_l("Brugernavn"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Adgangskode"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token: log out, reload the cases."""


class ReasonForm(FlaskForm):
    """Close early, reopen, follow the schedule: the reason goes into the audit log."""

    reason = TextAreaField(_l("Begrundelse"),
                           validators=[DataRequired(REASON_MISSING), Length(max=REASON_MAX)])


class ModerateForm(FlaskForm):
    """One action on one comment."""

    # The buttons and radio buttons are written in the templates; this only checks the value.
    action = StringField(_l("Handling"), validators=[
        InputRequired(_l("Vælg en handling.")),
        AnyOf(list(EDITOR_ACTIONS), message=_l("Vælg en handling.")),
    ])
    reason = TextAreaField(_l("Begrundelse"), validators=[Length(max=REASON_MAX)])
    next = HiddenField()

    def validate_reason(self, field) -> None:
        problem = missing_reason(self.action.data or "", field.data)
        if problem is not None:
            raise ValidationError(problem)


class CommentIdsField(Field):
    """Every `ids` value of the form (the ticked checkboxes); whole numbers once validated."""

    def process_formdata(self, valuelist) -> None:
        self.data = list(valuelist)


def _is_id(value: str) -> bool:
    """Whether a ticked value is an id a comment can have (1..MAX_ID)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and 1 <= int(value) <= MAX_ID


class BulkModerateForm(ModerateForm):
    """One action on every comment ticked in a list."""

    ids = CommentIdsField()

    def validate_ids(self, field) -> None:
        values = field.data or []
        if not values:
            raise ValidationError(_l("Vælg mindst én kommentar."))
        if not all(_is_id(v) for v in values):
            raise ValidationError(_l("Ugyldigt kommentar-id."))
        if len(values) > BULK_MAX:
            raise ValidationError(_l("Højst %(num)s kommentarer ad gangen.", num=BULK_MAX))
        field.data = [int(v) for v in values]
