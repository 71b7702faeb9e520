"""Jinja filters: dates and times in the network's zone and the reader's language, and
user text isolated from the interface's direction."""

from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_time
from markupsafe import Markup, escape

from planner.core.i18n import format_context
from planner.core.markdown import render_markdown


def bdi(value) -> Markup:
    """Text people typed (a name, a title), isolated from the sentence around it.

    <bdi> gives the text its own direction, from its first strong letter: a French title
    ending in "?" keeps its question mark at its end on an Arabic page, and an Arabic name
    stays whole in a French sentence. Only for element content: never in an attribute,
    <title>, <option> or SVG text, which cannot hold elements.
    """
    if value is None or value == "":
        return Markup("")
    return Markup(f"<bdi>{escape(value)}</bdi>")  # noqa: S704 - the value is escaped


# A formatted date depends only on the value, the format, the locale and the time zone, and
# Babel takes ~25 µs to make one (lists show hundreds): each result is kept, per process.
FORMATTERS = {
    "datetime": format_datetime,
    "date": format_date,
    "time": format_time,
    "number": lambda value, fmt: format_decimal(value, format=fmt or None),
}


@lru_cache(maxsize=8192, typed=True)
def _formatted(kind: str, value, fmt: str, _locale, _timezone) -> str:
    return FORMATTERS[kind](value, fmt)


def formatted(kind: str, value, fmt: str = "") -> str:
    """`value` as the request's locale and time zone write it; "" for no value."""
    if value is None or value == "":
        return ""
    return _formatted(kind, value, fmt, *format_context())


def register_filters(app: Flask) -> None:
    app.add_template_filter(
        lambda value, fmt="medium": formatted("datetime", value, fmt) if value else "",
        "datetime",
    )
    app.add_template_filter(
        lambda value, fmt="medium": formatted("date", value, fmt) if value else "", "date"
    )
    app.add_template_filter(
        lambda value, fmt="short": formatted("time", value, fmt) if value else "", "time"
    )
    app.add_template_filter(lambda value: formatted("number", value), "number")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(bdi, "bdi")
