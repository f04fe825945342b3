"""Flask extensions, created unbound and attached to the app in create_app (the init_app idiom).

Flask-Babel is the exception: catalogue.i18n makes one per app, because it keeps its catalogue cache on the
extension object and every app (a test's, a worker's) must reload its own. The sign-in throttle's Limiter is made
per app too, from that app's settings (catalogue.accounts.throttle).
"""

from collections.abc import Callable
from typing import cast

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from catalogue.db import Base, CatalogueSession

# The session class reads a public page's statements in autocommit on PostgreSQL (catalogue.db.reads_only).
db = SQLAlchemy(model_class=Base, session_options={"class_": CatalogueSession})
migrate = Migrate()
# Flask-Login and Flask-WTF leave their constructors unannotated: typed views of the same calls.
login_manager: LoginManager = cast("Callable[[], LoginManager]", LoginManager)()
csrf: CSRFProtect = cast("Callable[[], CSRFProtect]", CSRFProtect)()
