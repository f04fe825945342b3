"""Subtitle files: parsing, checking, storing append-only revisions, and serving them as WebVTT and SRT."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The subtitle files, the archive's upload, history and editor pages, and `flask subtitles`."""
    from catalogue.subtitles.archive import bp as archive_bp
    from catalogue.subtitles.cli import subtitles_cli
    from catalogue.subtitles.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(archive_bp)
    app.cli.add_command(subtitles_cli)
