"""Flask extensions, created unbound and attached in create_app().

Flask-Migrate (and Alembic, 11 MB) is attached only where commands run: see create_app().
"""

import flask_login
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LoginManager(flask_login.LoginManager):
    """Flask-Login's manager, which can also tell who is signed in without making the
    account's objects (members/sessions.py): all that a kept page needs to know."""

    def signed_in_loader(self, callback):
        self._signed_in_callback = callback
        return callback

    def signed_in(self):
        """The signed-in account's id, session version and language, or None."""
        return self._signed_in_callback()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
