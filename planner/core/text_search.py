"""Typed text found in SQL without regard to case or accents: "tetouan" finds "Tétouan".

A network of a thousand clusters finds one by typing, and a list reads only the page it shows,
so the database makes the match (the plan's owner filter, plan/owner_search.py, compares in
Python because it holds every owner's name already). SQLite has no unaccent() and
PostgreSQL's is an extension (a migration); nested replace() calls, one per accented letter,
overflow SQLite's parser. So the typed text becomes a regular expression instead, each letter
a class of its forms ("e" is [eEèéêëÈÉÊË]), matched by PostgreSQL's `~` and by the REGEXP
function SQLAlchemy gives SQLite (Python's re). Only literal characters and bracket classes
are used: both dialects read them alike, and no flag is needed (SQLAlchemy drops regexp flags
on SQLite). Used by the member clusters' and accounts' searches and the minutes' search.
"""

import string
import unicodedata

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import QueryableAttribute

# Letters with accents that names are written with here (French and its neighbours, and
# alif with hamza or madda, which Arabic writers often leave out).
_ACCENTED = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿŸآأإ"


def _bare(letter: str) -> str:
    decomposed = unicodedata.normalize("NFKD", letter)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _forms() -> dict[str, str]:
    """Each bare letter and every form that matches it: both cases of A to Z, their accents."""
    forms = {letter: letter + letter.upper() for letter in string.ascii_lowercase}
    forms["ا"] = "ا"
    for letter in _ACCENTED:
        forms[_bare(letter)] += letter
    return forms


FORMS = _forms()  # "e": "eEèéêëÈÉÊË"
BARE = {form: bare for bare, forms in FORMS.items() for form in forms}  # "É": "e"


def text_pattern(typed: str) -> str:
    """The typed text (spaces collapsed) as a regular expression of its letters' forms; other
    characters, % and _ among them, stand for themselves."""
    text = unicodedata.normalize("NFC", " ".join(typed.split()))
    parts = []
    for char in text:
        if unicodedata.category(char) == "Cc":
            continue  # nothing a person types; a NUL from the address would fail on PostgreSQL
        if char in BARE:
            parts.append(f"[{FORMS[BARE[char]]}]")
        elif char in string.punctuation:
            parts.append("\\" + char)  # literal in both dialects' syntax
        else:
            parts.append(char)  # digits, spaces, other scripts: never special
    return "".join(parts)


def contains_text(typed: str, *columns: QueryableAttribute[str]) -> ColumnElement[bool]:
    """Any of the columns contains the typed text, without regard to case or accents."""
    pattern = text_pattern(typed)
    return or_(*(column.regexp_match(pattern) for column in columns))
