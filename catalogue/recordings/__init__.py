"""Events, workshops, people, recordings, audio tracks and chapters: what a viewer browses and watches."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Browse and watch, the archivist's recording and audio-track pages, and the texts of the `content` domain."""
    from catalogue.recordings.content import content_messages
    from catalogue.recordings.manage import bp as manage_bp
    from catalogue.recordings.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    # What `translations extract` reads into the `content` domain (translating does not import the domains).
    app.extensions.setdefault("catalogue_content_sources", []).append(content_messages)
