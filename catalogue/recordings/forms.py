"""Forms with which archivists register recordings and their audio tracks (CSRF included)."""

from __future__ import annotations

from datetime import datetime

from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from catalogue.forms import Checked, TypedForm
from catalogue.i18n import lazy_text as _l
from catalogue.inputs import MAX_INT32, YEARS, InvalidInput
from catalogue.languages import MAX_TAG_LENGTH, normalize_language_tag
from catalogue.recordings.services import (
    check_label,
    check_languages,
    check_media_url,
    check_mime_type,
    check_poster_url,
    check_recording_slug,
    check_title,
    check_track_slug,
)


class LanguageTag:
    """One BCP 47 language tag (catalogue.languages), put in its canonical case (`pt-br` becomes `pt-BR`)."""

    def __init__(self, max_length: int = MAX_TAG_LENGTH) -> None:
        self.max_length = max_length

    def __call__(self, form: TypedForm, field: Field) -> None:
        try:
            field.data = normalize_language_tag(field.data, self.max_length, field=field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None


class LanguageTags:
    """Language tags separated by commas (`en, fr, pt-BR`), each checked like LanguageTag; the field keeps
    them as one canonical string, which `language_tags()` splits."""

    def __call__(self, form: TypedForm, field: Field) -> None:
        try:
            tags = check_languages(language_tags(field.data or ""), field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None
        field.data = ", ".join(tags)


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


class RecordingForm(TypedForm):
    workshop = SelectField(_l("Workshop"), coerce=int, validators=[DataRequired()])
    slug = StringField(_l("Address name (slug)"), validators=[DataRequired(), Checked(check_recording_slug)])
    title = StringField(_l("Title"), validators=[DataRequired(), Checked(check_title)])
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
    poster_url = StringField(_l("Poster image URL"), validators=[Optional(), Checked(check_poster_url)])

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
        duration_ms = parse_duration_ms(field.data)
        if duration_ms is not None and duration_ms > MAX_INT32:
            raise ValidationError(_l("Use H:MM:SS."))


class AudioTrackForm(TypedForm):
    slug = StringField(
        _l("Short name in links (e.g. floor, interpretation-en)"),
        validators=[DataRequired(), Checked(check_track_slug)],
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
    label = StringField(_l("Label"), validators=[DataRequired(), Checked(check_label)])
    media_url = StringField(_l("Media URL (any HTTP origin)"), validators=[Optional(), Checked(check_media_url)])
    media_file = FileField(_l("…or upload the media file"))
    mime_type = StringField(
        _l("MIME type (detected when empty)"),
        validators=[Optional(), Checked(check_mime_type)],
    )
    is_default = BooleanField(_l("Default track"))
