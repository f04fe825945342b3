"""The production entry point: `gunicorn -c python:catalogue.gunicorn_config catalogue.wsgi:app`.

Each worker builds its own app and warms it up (catalogue.layout.warm_up: templates compiled, a database connection
opened for each thread, the catalogue, search and first watch pages asked for in every language). Nothing is migrated or
loaded at start-up: run `flask db upgrade` first. It refuses to start without a real SECRET_KEY (`flask run` and the
tests keep the development one).
"""

from catalogue import create_app
from catalogue.gunicorn_config import threads
from catalogue.layout import warm_up
from catalogue.security import require_production_secret_key

app = create_app()
require_production_secret_key(app)
# Each worker imports this module after gunicorn's fork: it compiles its templates, and opens a database connection
# for each of its threads, before its first request.
warm_up(app, connections=threads)
