"""The owner filter of a large network: a name to type instead of a list of every cluster.

A select of a thousand member clusters is a page of HTML to render on every view of the plan
and a list nobody scrolls; past OWNER_SELECT_LIMIT owners the filter asks for a name and
finds it here, without regard to case, accents or spacing.
"""

import unicodedata

OWNER_SELECT_LIMIT = 60  # owners (the secretariat included) still offered as a select
CANDIDATES_SHOWN = 10  # owners offered as links when a typed name matches several


def normalized(text: str) -> str:
    """'  Aéro   Maroc ' and 'aero maroc' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def matching_owners(typed: str, owners: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (value, label) owners whose label is the typed name, or else contains it."""
    wanted = normalized(typed)
    if not wanted:
        return []
    exact = [owner for owner in owners if normalized(owner[1]) == wanted]
    if exact:
        return exact[:1]
    return [owner for owner in owners if wanted in normalized(owner[1])]
