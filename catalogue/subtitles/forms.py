"""The archivist's subtitle upload form (Flask-WTF: CSRF token included). Its language and encoding are
checked by catalogue.subtitles.services, as every other way in (the API, `flask subtitles import`) is."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, Optional, ValidationError

from catalogue.forms import TypedForm
from catalogue.i18n import lazy_text as _l
from catalogue.inputs import InvalidInput, column_length
from catalogue.recordings.forms import LanguageTag
from catalogue.subtitles.models import SubtitleTrack
from catalogue.subtitles.services import text_encoding


class TextEncoding:
    """WTForms: text_encoding() on the field."""

    def __call__(self, form: TypedForm, field: Field) -> None:
        try:
            text_encoding(field.data, field=field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None


class UploadForm(TypedForm):
    language = StringField(
        _l("Subtitle language (code such as en, fr, tr, pt-BR)"),
        validators=[DataRequired(), LanguageTag(column_length(SubtitleTrack.language))],
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
        _l("Encoding (leave empty to detect; for example windows-1254)"), validators=[Optional(), TextEncoding()]
    )


class ConfirmForm(TypedForm):
    """An empty form: its CSRF token protects publish, discard and restore buttons."""
