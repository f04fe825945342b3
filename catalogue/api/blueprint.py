"""The JSON API's blueprint, on its own so that every module of routes (views, media, edits) attaches to it
without importing another module's views; catalogue.api.init_app imports them all, then registers it."""

from flask import Blueprint

bp = Blueprint("api", __name__)
