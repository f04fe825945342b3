"""The summit demo that ships with the app: data, synthesised media and subtitles, and `flask demo load`."""

from flask import Flask


def init_app(app: Flask) -> None:
    """`flask demo load`."""
    from catalogue.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
