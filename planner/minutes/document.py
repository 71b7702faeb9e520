"""The minutes document: rendered in the meeting's language, whatever the reader's."""

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from planner.minutes.queries import MinutesRecord


def labels() -> dict:
    """The words the document uses for kinds, rules, outcomes and positions (lazy strings,
    so they come out in the language the document is rendered in)."""
    from planner.meetings.forms import kind_labels
    from planner.proposals.forms import outcome_labels, position_labels, rule_short_labels

    return {
        "kind": {k.value: v for k, v in kind_labels().items()},
        "rule": {k.value: v for k, v in rule_short_labels().items()},
        "outcome": {k.value: v for k, v in outcome_labels().items()},
        "position": {k.value: v for k, v in position_labels().items()},
    }


def render_document(record: MinutesRecord) -> Markup:
    """The document part of the minutes (header, attendance, items, decisions, actions)."""
    with force_locale(record.meeting.minutes_language or "fr"):
        html = render_template("minutes/_document.html", record=record, labels=labels())
    return Markup(html)  # noqa: S704 - a template of ours, autoescaped


def current_document(record: MinutesRecord) -> Markup:
    """What the minutes say now: the frozen text once approved, else the live assembly."""
    if record.minutes is not None and record.minutes.approved_html is not None:
        return Markup(record.minutes.approved_html)  # noqa: S704 - rendered by us at approval
    return render_document(record)
