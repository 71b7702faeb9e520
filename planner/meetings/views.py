"""Meetings pages: list, meeting page, agenda, attendance, live session, calendar file."""

from flask import Blueprint

from planner.meetings import models  # noqa: F401 - the tables belong to the app

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
