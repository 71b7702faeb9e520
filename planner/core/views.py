"""Small helpers every view uses: form failures and safe redirects."""

from flask import redirect, request, url_for

from planner.core.rules import RuleError
from planner.core.security import is_safe_redirect
from planner.extensions import db


def attach_error(form, error: RuleError) -> int:
    """Roll back, show the rule's message on its field (or atop the form); return the status."""
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return error.status


def redirect_back(default_endpoint: str, **values):
    """Redirect to the form's `next` target when it stays on this site."""
    target = request.form.get("next") or request.args.get("next")
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for(default_endpoint, **values))
