"""Accounts: users and roles, signing in and out, API tokens, `flask users` (design.md §1, §3, §8)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Sign-in (Flask-Login, CSRF), the account pages and `flask users`."""
    from catalogue.accounts import auth
    from catalogue.accounts.cli import users_cli
    from catalogue.accounts.views import bp

    auth.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
