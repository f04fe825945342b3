"""The sign-in form; Flask-WTF adds and checks its CSRF token."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from catalogue.accounts.models import User
from catalogue.accounts.services import MAX_PASSWORD_LENGTH
from catalogue.forms import TypedForm
from catalogue.i18n import lazy_text as _l
from catalogue.inputs import column_length


class LoginForm(TypedForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=column_length(User.email))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=MAX_PASSWORD_LENGTH)],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
