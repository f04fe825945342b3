"""`flask --app catalogue users create|token` (design.md §8): accounts and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from catalogue.accounts import services
from catalogue.accounts.models import Role, normalize_email
from catalogue.accounts.queries import user_by_email
from catalogue.inputs import InvalidInput

users_cli = AppGroup("users", help="User accounts and API tokens.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line, without its line ending; spaces inside or around it belong to the password.
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, default="", show_default=False)
    return password


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
    try:
        # Checked in the command, not in a click callback: the app (and its LANGUAGES) exists only once it runs.
        services.check_locales(locales)
    except InvalidInput as error:
        raise click.BadParameter(error.reason, param_hint="'--locale'") from None
    try:
        # Every other check before asking for a password, so nobody types one for an account that cannot exist.
        services.check_new_account(email, display_name, locales)
        user = services.create_user(
            email, role=Role(role), password=_read_password(password_stdin), display_name=display_name, locales=locales
        )
    except InvalidInput as error:
        raise click.ClickException(f"{error.reason} No account was created.") from None
    where = f" for {', '.join(user.locales)}" if user.locales else ""
    click.echo(f"Created {role} {user.email} ({user.display_name}){where}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in lists), up to 100 characters.")
def token(email: str, name: str) -> None:
    """Print a new API token for the account; the token is the last line of output, shown only this once."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {normalize_email(email)}.")
    try:
        raw = services.issue_api_token(user, name=name)
    except InvalidInput as error:
        raise click.ClickException(error.reason) from None
    click.echo(f"New API token for {user.email} ({user.role}); it is shown only now, keep it secret:")
    click.echo(raw)
