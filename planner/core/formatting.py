"""Jinja filters: dates and times in the network's zone and the reader's language, and
user text isolated from the interface's direction."""

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_time
from markupsafe import Markup, escape

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
    return Markup("<bdi>%s</bdi>") % escape(value)


def register_filters(app: Flask) -> None:
    app.add_template_filter(
        lambda value, fmt="medium": format_datetime(value, fmt) if value else "", "datetime"
    )
    app.add_template_filter(
        lambda value, fmt="medium": format_date(value, fmt) if value else "", "date"
    )
    app.add_template_filter(
        lambda value, fmt="short": format_time(value, fmt) if value else "", "time"
    )
    app.add_template_filter(
        lambda value: format_decimal(value) if value is not None else "", "number"
    )
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(bdi, "bdi")
