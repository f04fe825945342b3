"""The production entry point: `gunicorn -c python:catalogue.gunicorn_config catalogue.wsgi:app`.

Each worker builds its own app. Nothing is migrated or loaded at start-up: run `flask db upgrade` first.
"""

from catalogue import create_app

app = create_app()
