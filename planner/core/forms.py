"""The base form every form extends: CSRF, trimmed text, one place for shared fields."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice


def strip(value):
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        # Trim surrounding spaces from every text field before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters:
                unbound_field.kwargs["filters"] = [strip, *filters]
            return unbound_field.bind(form=form, **options)


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs or plain values."""
    return [
        SelectChoice(str(p[0]), p[1]) if isinstance(p, tuple) else SelectChoice(str(p))
        for p in pairs
    ]
