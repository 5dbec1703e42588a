"""Friendly error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

from flask import Flask, g, session
from flask_wtf.csrf import CSRFError
from peewee import DoesNotExist, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from models import Person, is_deadlock
from pwa.account import load_person
from pwa.web import render, to_sign_in

MESSAGES = {
    400: "That request didn't make sense to us.",
    403: "That belongs to someone else, so it isn't yours to see or change.",
    404: "There's nothing here. The link may be old or mistyped.",
    405: "That page can't be used that way.",
    409: "That can't be done yet.",
    413: "That's more than we can take in one go. Shorten it and try again.",
    429: "Too many tries. Wait a moment and try again.",
}


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # CSRF is checked before the sign-in is read: read it now, for the right navigation.
        if "person" not in g:
            load_person()
        message = "This form had expired. Go back, reload the page and send it again."
        return render("errors/error.html", status=400, code=400, message=message)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(DoesNotExist)
    @app.errorhandler(OperationalError)
    def deleted_meanwhile(error):
        # A write by someone deleted during their request fails on the rows that went with them
        # (a foreign key, a twin's row), or PostgreSQL ends a deadlock with the deletion by
        # stopping the write: once the deletion is over, they are signed out. Anything else is a
        # real error, as before.
        person = g.get("person")
        if person is None or (isinstance(error, OperationalError) and not is_deadlock(error)):
            raise error
        if Person.still_there(person.id):
            raise error
        session.clear()
        g.person = None
        return to_sign_in()

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        message = MESSAGES.get(code, error.description)
        return render("errors/error.html", status=code, code=code, message=message)
