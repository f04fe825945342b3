"""`flask --app catalogue users create|token` (design.md §8): accounts and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalogue.accounts.models import Role, User, issue_token, normalize_email
from catalogue.extensions import db

users_cli = AppGroup("users", help="User accounts and API tokens.")

MIN_PASSWORD_LENGTH = 8


def _find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalize_email(email))).one_or_none()


def _check_locales(value: tuple[str, ...]) -> list[str]:
    # Checked in the command, not in a click callback: the app (and its LANGUAGES) exists only once it runs.
    allowed = current_app.config["LANGUAGES"]
    unknown = [code for code in value if code not in allowed]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not an interface locale (choose from {', '.join(allowed)}).",
            param_hint="'--locale'",
        )
    return list(dict.fromkeys(value))  # keep the order given, without repeats


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line, without its line ending; spaces inside or around it belong to the password.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, default="", show_default=False)


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What the account may do (design.md §1)."
)
@click.option(
    "--locale",
    "locales",
    multiple=True,
    help="An interface locale a translator may edit; repeat for several.",
)
@click.option("--name", "display_name", default=None, help="Display name (default: the part of EMAIL before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create(email: str, role: str, locales: tuple[str, ...], display_name: str | None, password_stdin: bool) -> None:
    """Create an account; the password comes from a prompt or, with --password-stdin, standard input."""
    allowed_locales = _check_locales(locales)
    email = normalize_email(email)
    local, at, domain = email.partition("@")
    if not local or not at or not domain or any(c.isspace() for c in email) or len(email) > 254:
        raise click.ClickException(f"“{email}” is not an email address.")
    if _find_user(email) is not None:
        raise click.ClickException(f"An account for {email} already exists.")
    display_name = (display_name if display_name is not None else local).strip()
    if not display_name or len(display_name) > 200:
        raise click.ClickException("The display name must have 1 to 200 characters.")

    password = _read_password(password_stdin)
    if not password:
        raise click.ClickException("The password is empty; no account was created.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password is shorter than {MIN_PASSWORD_LENGTH} characters; no account was created."
        )

    user = User(email=email, display_name=display_name, role=Role(role), locales=allowed_locales)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # created by someone else between our check and now
        db.session.rollback()
        raise click.ClickException(f"An account for {email} already exists.") from None
    where = f" for {', '.join(allowed_locales)}" if allowed_locales else ""
    click.echo(f"Created {role} {email} ({display_name}){where}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in lists), up to 100 characters.")
def token(email: str, name: str) -> None:
    """Print a new API token for the account; the token is the last line of output, shown only this once."""
    user = _find_user(email)
    if user is None:
        raise click.ClickException(f"No account for {normalize_email(email)}.")
    if not user.is_active:
        raise click.ClickException(f"The account {user.email} is deactivated.")
    if len(name) > 100:
        raise click.ClickException("The token name must have at most 100 characters.")
    raw = issue_token(user, name=name)
    db.session.commit()
    click.echo(f"New API token for {user.email} ({user.role}); it is shown only now, keep it secret:")
    click.echo(raw)
