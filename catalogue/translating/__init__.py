"""Interface translations: the gettext catalogues under translations/ and the commands that maintain them."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The translators' editor and `flask translations`."""
    from catalogue.translating.cli import translations_cli
    from catalogue.translating.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(translations_cli)
