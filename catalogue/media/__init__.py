"""Media: the files archivists bring (MediaSource) and what viewers play (Stream), packaged to HLS by ffmpeg in
a background job (catalogue.jobs). Sits above recordings; the API and the watch page read it through
`queries` and write through `services`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The "package" job handler, the stream files' routes and `flask media ...`."""
    from catalogue.media import services
    from catalogue.media.cli import media_cli
    from catalogue.media.views import bp

    services.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(media_cli)
