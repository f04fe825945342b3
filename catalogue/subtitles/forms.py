"""The archivist's subtitle upload form (Flask-WTF: CSRF token included)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp

from catalogue.i18n import lazy_text as _l

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class UploadForm(FlaskForm):
    language = StringField(
        _l("Subtitle language (code such as en, fr, tr, pt-BR)"),
        validators=[DataRequired(), Regexp(LANGUAGE_CODE, message=_l("Use a language code such as en, fr or tr."))],
    )
    file = FileField(_l("Subtitle file (WebVTT, SRT or YouTube SBV)"), validators=[FileRequired()])
    format = SelectField(
        _l("Format"),
        choices=[
            SelectChoice("", _l("Detect from the content")),
            SelectChoice("vtt", "WebVTT"),
            SelectChoice("srt", "SRT"),
            SelectChoice("sbv", "SBV"),
        ],
        validators=[Optional()],
    )
    encoding = StringField(
        _l("Encoding (leave empty to detect; for example windows-1254)"),
        validators=[Optional(), Regexp(r"^[A-Za-z0-9._-]{1,40}$", message=_l("Not an encoding name."))],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects publish, discard and restore buttons."""
