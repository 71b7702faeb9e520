"""The minutes document: rendered in the meeting's language, whatever the reader's."""

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from planner.minutes.queries import MinutesRecord


def _words(labels: dict) -> dict:
    """Enum value -> its word in the current language, as Markup like the lazy string it
    comes from (our catalogues' own words, written out as they are)."""
    return {key.value: Markup(word) for key, word in labels.items()}  # noqa: S704 - see above


def labels() -> dict:
    """The words the document uses for kinds, rules, outcomes and positions, translated
    once into the current language: call it where the document's language is forced (a
    lazy string would look its translation up again at each of its many uses)."""
    from planner.meetings.forms import kind_labels
    from planner.proposals.forms import outcome_labels, position_labels, rule_short_labels

    return {
        "kind": _words(kind_labels()),
        "rule": _words(rule_short_labels()),
        "outcome": _words(outcome_labels()),
        "position": _words(position_labels()),
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
