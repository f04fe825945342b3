"""The archivist's subtitle upload form (Flask-WTF: CSRF token included), and the checks of its language and
encoding that every other way in (the API, `flask subtitles import`) shares."""

from __future__ import annotations

import codecs
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from catalogue.i18n import lazy_text as _l
from catalogue.inputs import InvalidInput, column_length
from catalogue.languages import normalize_language_tag
from catalogue.problems import N_
from catalogue.recordings.forms import LanguageTag
from catalogue.subtitles.models import SubtitleRevision, SubtitleTrack

# Python finds these codecs by name, but no subtitle file is saved in them: punycode and idna are for host
# names, the escapes read backslashes as code points, utf-7 hides markup from filters, `undefined` always
# fails, and charmap without a map is latin-1 under another name. (base64, rot13, zlib... are not even text
# encodings: codecs.lookup() says so.)
NOT_FILE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "undefined", "charmap"}
)
ENCODING_NAME = re.compile(r"[A-Za-z0-9._-]+")


def subtitle_language(tag: object) -> str:
    """A subtitle track's language tag, canonical and within its column; InvalidInput (field `language`)."""
    return normalize_language_tag(tag, column_length(SubtitleTrack.language), field="language")


def text_encoding(name: str, field: str = "encoding") -> str:
    """The name, when Python decodes text files with it (windows-1254, iso-8859-9, utf-16...); InvalidInput
    otherwise. Bytes-to-bytes codecs (base64, zlib) and the codecs above would 500 or mislead."""
    if not ENCODING_NAME.fullmatch(name) or len(name) > column_length(SubtitleRevision.encoding):
        raise InvalidInput(field, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=name[:40])
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InvalidInput(field, "unknown-encoding", N_("Unknown encoding “%(encoding)s”."), encoding=name) from None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_FILE_ENCODINGS:
        raise InvalidInput(
            field,
            "not-a-text-encoding",
            N_("“%(encoding)s” is not a character encoding for text files; try utf-8 or windows-1252."),
            encoding=name,
        )
    return name


class TextEncoding:
    """WTForms: text_encoding() on the field."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            text_encoding(field.data, field=field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None


class UploadForm(FlaskForm):
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


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects publish, discard and restore buttons."""
