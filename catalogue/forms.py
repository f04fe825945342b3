"""The base of every form: Flask-WTF's FlaskForm (CSRF token included) with the calls views make typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from catalogue.inputs import InvalidInput


class TypedForm(FlaskForm):
    """FlaskForm as the views use it. Flask-WTF ships no annotations, so under strict mypy every form built on
    FlaskForm itself would be an untyped call. A bare `TypedForm()` checks the CSRF token of a button's form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]  # Flask-WTF has no annotations

    def is_submitted(self) -> bool:
        """Whether the request is a POST (or PUT, PATCH, DELETE) carrying this form."""
        return bool(super().is_submitted())  # type: ignore[no-untyped-call]

    def validate_on_submit(self, extra_validators: Mapping[str, Sequence[Callable[..., object]]] | None = None) -> bool:
        """Submitted, with a valid CSRF token and valid fields."""
        return bool(super().validate_on_submit(extra_validators))  # type: ignore[no-untyped-call]


def add_error(field: Field, message: str) -> None:
    """Show a message under a field that passed its validators: a check only the database can make (a name
    already taken, a workshop deleted meanwhile) or a step after validation that failed."""
    field.errors = [*field.errors, message]


def required_text(field: StringField) -> str:
    """The text of a field DataRequired has checked (WTForms types every text field's data as optional)."""
    if not field.data:
        raise ValueError(f"{field.name} is empty: validate the form before reading it")
    return field.data


class Checked:
    """A WTForms validator that runs a domain service's own check of a value (`check(value, field_name)`,
    raising InvalidInput), so a form refuses exactly what the API and the command line refuse, with the same
    message; the field then holds the checked value (stripped, in its canonical case)."""

    def __init__(self, check: Callable[[object, str], object]) -> None:
        self.check = check

    def __call__(self, form: TypedForm, field: Field) -> None:
        try:
            field.data = self.check(field.data, field.name)
        except InvalidInput as error:
            raise ValidationError(error.reason) from None
