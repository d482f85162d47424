"""One FlaskForm per editors' screen (CSRF through Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from dilemmaboard.desk.service import MODERATION_ACTIONS, REASON_REQUIRED

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
                           validators=[DataRequired(_l("Skriv en begrundelse.")),
                                       Length(max=REASON_MAX)])


class ModerateForm(FlaskForm):
    """One action on one comment or on the comments ticked in the queue."""

    # The buttons and radio buttons are written in the templates; this only checks the value.
    action = StringField(_l("Handling"), validators=[
        InputRequired(_l("Vælg en handling.")),
        AnyOf(MODERATION_ACTIONS, message=_l("Vælg en handling.")),
    ])
    reason = TextAreaField(_l("Begrundelse"), validators=[Length(max=REASON_MAX)])
    next = HiddenField()

    def validate_reason(self, field) -> None:
        if self.action.data in REASON_REQUIRED and not (field.data or "").strip():
            raise ValidationError(_l("Skriv en begrundelse for at skjule eller slette."))
