"""Forms with which archivists register recordings and their audio tracks (CSRF included)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from catalogue.i18n import lazy_text as _l
from catalogue.inputs import MAX_INT32, YEARS, InvalidInput, column_length
from catalogue.languages import MAX_TAG_LENGTH, normalize_language_tag
from catalogue.recordings.models import AudioTrack, Recording

# Matched from the start to \Z: `$` would also accept a final line break ("slug\n").
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# type/subtype, then parameters (`audio/ogg; codecs=opus`); no line breaks. Each part stops at its own
# delimiter, so matching is linear.
MIME_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:;[^;\r\n]*)*\Z")
SLUG = Regexp(SLUG_PATTERN, message=_l("Lower-case letters, digits and hyphens only."))


def _max(column: Any) -> Length:
    """A Length validator as long as the model column the field is stored in."""
    return Length(max=column_length(column))


class LanguageTag:
    """One BCP 47 language tag (catalogue.languages), put in its canonical case (`pt-br` becomes `pt-BR`)."""

    def __init__(self, max_length: int = MAX_TAG_LENGTH) -> None:
        self.max_length = max_length

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            field.data = normalize_language_tag(field.data, self.max_length, field=field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None


class LanguageTags:
    """Language tags separated by commas (`en, fr, pt-BR`), each checked like LanguageTag; the field keeps
    them as one canonical string, which `language_tags()` splits."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            tags = [normalize_language_tag(tag.strip(), field=field.name) for tag in (field.data or "").split(",")]
        except InvalidInput as error:
            raise ValidationError(error.reason) from None
        field.data = ", ".join(dict.fromkeys(tags))


def parse_duration_ms(text: str | None) -> int | None:
    """ "1:05:42" or "05:42" (or "05:42.5") to milliseconds."""
    if not text:
        return None
    parts = text.split(":")
    seconds = float(parts[-1]) + 60 * int(parts[-2]) + (3600 * int(parts[-3]) if len(parts) == 3 else 0)
    return round(seconds * 1000)


def language_tags(text: str) -> list[str]:
    """The tags a LanguageTags field holds, in order."""
    return [tag.strip() for tag in text.split(",")]


class RecordingForm(FlaskForm):
    workshop = SelectField(_l("Workshop"), coerce=int, validators=[DataRequired()])
    slug = StringField(_l("Address name (slug)"), validators=[DataRequired(), _max(Recording.slug), SLUG])
    title = StringField(_l("Title"), validators=[DataRequired(), _max(Recording.title)])
    recorded_at = StringField(
        _l("Recording starts (local time of the event, YYYY-MM-DD HH:MM:SS; empty if unknown)"),
        validators=[
            Optional(),
            # ASCII digits only ([0-9], not \d, which takes any script's digits), matched to \Z.
            Regexp(
                r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?\Z", message=_l("Use YYYY-MM-DD HH:MM:SS.")
            ),
        ],
    )
    duration = StringField(
        _l("Duration (H:MM:SS; empty if unknown)"),
        # At most 596 hours (3 digits): the milliseconds stay inside an INTEGER column.
        validators=[
            Optional(),
            Regexp(r"([0-9]{1,3}:)?[0-9]{1,2}:[0-9]{2}(\.[0-9]{1,3})?\Z", message=_l("Use H:MM:SS.")),
        ],
    )
    poster_url = StringField(_l("Poster image URL"), validators=[Optional(), _max(Recording.poster_url)])

    def validate_recorded_at(self, field: Field) -> None:
        """The pattern lets 2021-13-45 through; the calendar does not."""
        if not field.data:
            return
        try:
            moment = datetime.fromisoformat(field.data.replace(" ", "T"))
        except ValueError:
            raise ValidationError(_l("Use YYYY-MM-DD HH:MM:SS.")) from None
        if moment.year not in YEARS:
            raise ValidationError(_l("Use YYYY-MM-DD HH:MM:SS.")) from None

    def validate_duration(self, field: Field) -> None:
        if field.data and parse_duration_ms(field.data) > MAX_INT32:
            raise ValidationError(_l("Use H:MM:SS."))


class AudioTrackForm(FlaskForm):
    slug = StringField(
        _l("Short name in links (e.g. floor, interpretation-en)"),
        validators=[DataRequired(), _max(AudioTrack.slug), SLUG],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("interpretation", _l("Interpretation")),
            SelectChoice("original", _l("Original floor audio")),
        ],
    )
    languages = StringField(
        _l("Languages heard (codes separated by commas, e.g. en, fr, tr)"),
        validators=[DataRequired(), LanguageTags()],
    )
    label = StringField(_l("Label"), validators=[DataRequired(), _max(AudioTrack.label)])
    media_url = StringField(
        _l("Media URL (any HTTP origin)"), validators=[Optional(), _max(AudioTrack.media_url), URL(require_tld=False)]
    )
    media_file = FileField(_l("…or upload the media file"))
    mime_type = StringField(
        _l("MIME type (detected when empty)"),
        validators=[
            Optional(),
            _max(AudioTrack.mime_type),
            Regexp(MIME_TYPE, message=_l("Use a MIME type such as audio/ogg.")),
        ],
    )
    is_default = BooleanField(_l("Default track"))
