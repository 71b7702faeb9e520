"""The base form every form extends: CSRF, trimmed text, one place for shared fields."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectField
from wtforms.widgets import Select


def strip(value):
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        # Trim surrounding spaces from every text field before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters:
                unbound_field.kwargs["filters"] = [strip, *filters]
            field_class = unbound_field.field_class
            if (issubclass(field_class, SelectField) and "widget" not in unbound_field.kwargs
                    and type(field_class.widget) is Select and not field_class.widget.multiple):
                unbound_field.kwargs["widget"] = FAST_SELECT
            return unbound_field.bind(form=form, **options)


class FastSelect(Select):
    """WTForms' select, with the same HTML for each option built directly: a filter of a
    thousand member clusters took 11 ms to render through the generic attribute builder."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        # Both parts escaped just above, as WTForms' html_params does.
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')  # noqa: S704


FAST_SELECT = FastSelect()


class SearchForm(Form):
    """A list's search (its field `q`), read from the address so that a search is a link
    (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    def searched_text(self) -> str:
        """The text to search for: "" when the field is empty, or refused (too long to be a
        search: the list is shown unsearched with the field's message, and a 400)."""
        return (self.q.data or "") if self.validate() else ""

    @property
    def status(self) -> int:
        return 400 if self.errors else 200


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs or plain values."""
    return [
        SelectChoice(str(p[0]), p[1]) if isinstance(p, tuple) else SelectChoice(str(p))
        for p in pairs
    ]
