"""Jinja filters: dates and times in the network's zone and the reader's language."""

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_time

from planner.core.markdown import render_markdown


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
