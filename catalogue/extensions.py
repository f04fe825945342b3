"""Flask extensions, created unbound and attached to the app in create_app (the init_app idiom)."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from catalogue.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
