"""The production entry point: `gunicorn -c python:catalogue.gunicorn_config catalogue.wsgi:app`.

Each worker builds its own app. Nothing is migrated or loaded at start-up: run `flask db upgrade` first.
It refuses to start without a real SECRET_KEY (`flask run` and the tests keep the development one).
"""

from catalogue import create_app
from catalogue.security import require_production_secret_key

app = create_app()
require_production_secret_key(app)
