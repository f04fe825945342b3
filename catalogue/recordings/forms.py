"""Forms with which archivists register recordings and their audio tracks (CSRF included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

from catalogue.i18n import lazy_text as _l

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits and hyphens only."))


class RecordingForm(FlaskForm):
    workshop = SelectField(_l("Workshop"), coerce=int, validators=[DataRequired()])
    slug = StringField(_l("Address name (slug)"), validators=[DataRequired(), Length(max=160), SLUG])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    recorded_at = StringField(
        _l("Recording starts (local time of the event, YYYY-MM-DD HH:MM:SS; empty if unknown)"),
        validators=[
            Optional(),
            Regexp(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$", message=_l("Use YYYY-MM-DD HH:MM:SS.")),
        ],
    )
    duration = StringField(
        _l("Duration (H:MM:SS; empty if unknown)"),
        validators=[Optional(), Regexp(r"^(\d+:)?\d{1,2}:\d{2}(\.\d{1,3})?$", message=_l("Use H:MM:SS."))],
    )
    poster_url = StringField(_l("Poster image URL"), validators=[Optional(), Length(max=500)])


class AudioTrackForm(FlaskForm):
    slug = StringField(
        _l("Short name in links (e.g. floor, interpretation-en)"), validators=[DataRequired(), Length(max=60), SLUG]
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
        validators=[
            DataRequired(),
            Regexp(r"^\s*[a-z]{2,3}(\s*,\s*[a-z]{2,3})*\s*$", message=_l("Language codes separated by commas.")),
        ],
    )
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    media_url = StringField(
        _l("Media URL (any HTTP origin)"), validators=[Optional(), Length(max=1000), URL(require_tld=False)]
    )
    media_file = FileField(_l("…or upload the media file"))
    mime_type = StringField(_l("MIME type (detected when empty)"), validators=[Optional(), Length(max=100)])
    is_default = BooleanField(_l("Default track"))
