"""The form with which an archivist adds a media file in the browser (CSRF included)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired

from catalogue.forms import TypedForm
from catalogue.i18n import lazy_text as _l


class MediaForm(TypedForm):
    """The file, then what is heard in it. Kind, languages and label are checked by media.services, the same
    checks as the API and the command line."""

    file = FileField(_l("Media file (video or audio)"))
    url = StringField(_l("… or its address on the web (https://…), fetched by the catalogue"))
    kind = SelectField(
        _l("What is heard"),
        choices=[
            SelectChoice("original", _l("The floor: the original sound of the meeting")),
            SelectChoice("interpretation", _l("An interpretation channel")),
        ],
        validators=[DataRequired()],
    )
    languages = StringField(
        _l("Languages spoken, separated by commas (en, or en, fr, tr for the floor)"), validators=[DataRequired()]
    )
    label = StringField(_l("Label shown to viewers (optional)"))
    each_stream = BooleanField(
        _l(
            "The file has several audio streams: make one audio track of each (the first as described above, "
            "the others as interpretations in the languages the file names)"
        )
    )
