"""Translation catalogues: one .po file per domain and language, merged into messages.mo.

Each domain keeps its own catalogue (translations/<lang>/LC_MESSAGES/<domain>.po) so that
work on two domains never edits the same file. Run as
    python -m planner.core.catalogues update [DOMAIN]   # extract strings into each .po
    python -m planner.core.catalogues compile           # merge the .po files into messages.mo
    python -m planner.core.catalogues check             # missing, empty or fuzzy translations
    python -m planner.core.catalogues todo fr [DOMAIN]  # untranslated messages as JSON
    python -m planner.core.catalogues fill fr FILE.json [DOMAIN]  # write translations back
Naming a DOMAIN touches only that domain's .po file.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "planner" / "translations"
SOURCE_LANGUAGE = "en"  # msgids are English; these languages need a catalogue:
TRANSLATED_LANGUAGES = ("fr", "ar")

# domain -> the source paths (relative to the project root) whose strings it owns.
DOMAINS: dict[str, list[str]] = {
    "core": [
        "planner/__init__.py",
        "planner/cli.py",
        "planner/core",
        "planner/dashboard",
        "templates/base.html",
        "templates/_macros",
        "templates/errors",
        "templates/dashboard",
    ],
    "members": ["planner/members", "templates/members", "templates/auth", "templates/accounts"],
    "proposals": ["planner/proposals", "templates/proposals"],
    "meetings": ["planner/meetings", "templates/meetings"],
    "minutes": ["planner/minutes", "templates/minutes"],
    "plan": ["planner/plan", "templates/plan"],
}

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "message_format": None}
JINJA = "jinja2.ext:babel_extract"
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "false"}


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.suffix in {".py", ".html", ".txt"})


def extract_domain(domain: str) -> Catalog:
    template = Catalog(domain=domain)
    for source in DOMAINS[domain]:
        for path in _files(ROOT / source):
            method = "python" if path.suffix == ".py" else JINJA
            options = {} if method == "python" else JINJA_OPTIONS
            with path.open("rb") as handle:
                for lineno, message, comments, context in extract(
                    method, handle, keywords=KEYWORDS, options=options
                ):
                    template.add(
                        message,
                        None,
                        [(str(path.relative_to(ROOT)), lineno)],
                        auto_comments=comments,
                        context=context,
                    )
    return template


def _po_path(language: str, domain: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _key(message) -> str:
    """How a message is named in the todo/fill JSON: plurals as a JSON list, a context
    (pgettext) as "context::message"."""
    key = (
        json.dumps(list(message.id), ensure_ascii=False)
        if isinstance(message.id, tuple)
        else message.id
    )
    return f"{message.context}::{key}" if message.context else key


def _domains(only: str | None) -> list[str]:
    if only is not None and only not in DOMAINS:
        raise SystemExit(f"unknown domain {only!r}: add it to DOMAINS in {__file__}")
    return [only] if only else list(DOMAINS)


def update(only: str | None = None) -> None:
    for domain in _domains(only):
        template = extract_domain(domain)
        for language in TRANSLATED_LANGUAGES:
            path = _po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = (
                _read(path, language) if path.exists() else Catalog(locale=language, domain=domain)
            )
            catalog.update(template, no_fuzzy_matching=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, ignore_obsolete=True, omit_header=False)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def merged(language: str) -> Catalog:
    """Every domain's translations in one catalogue (the first domain wins a duplicate).

    A message that two domains use ("Meetings" in the navigation and in the meetings pages)
    counts as translated when one of them translates it: an entry another domain has not
    filled in yet never hides a translation.
    """
    catalog = Catalog(locale=language)
    for path in sorted((TRANSLATIONS / language / "LC_MESSAGES").glob("*.po")):
        for message in _read(path, language):
            if not message.id:
                continue
            known = catalog.get(message.id, message.context)
            if known is None:
                catalog[message.id] = message
            elif not _translated(known) and _translated(message):
                catalog.delete(message.id, message.context)  # setting would merge, not replace
                catalog[message.id] = message
    return catalog


def conflicts(language: str) -> list[str]:
    """Messages that two domains translate differently: the merged catalogue could show
    either, so give one of them a context (pgettext) or agree on one translation."""
    seen: dict[tuple, tuple[str, object]] = {}
    found = []
    for path in sorted((TRANSLATIONS / language / "LC_MESSAGES").glob("*.po")):
        for message in _read(path, language):
            if not message.id:
                continue
            if not _translated(message):  # not a translation yet: nothing to conflict with
                continue
            key = (message.id, message.context)
            if key in seen and seen[key][1] != message.string:
                found.append(
                    f"{language}: {message.id!r} is {seen[key][1]!r} in {seen[key][0]}.po "
                    f"but {message.string!r} in {path.stem}.po"
                )
            seen.setdefault(key, (path.stem, message.string))
    return found


def compile_all() -> None:
    for language in TRANSLATED_LANGUAGES:
        catalog = merged(language)
        (TRANSLATIONS / language / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
        with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def problems(language: str) -> list[str]:
    """Every message the code uses that `language` lacks, leaves empty or marks fuzzy."""
    catalog = merged(language)
    found = []
    for domain in DOMAINS:
        for message in extract_domain(domain):
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            where = message.locations[0][0] if message.locations else domain
            if translated is None:
                found.append(f"{language}: missing {message.id!r} ({where})")
            elif translated.fuzzy:
                found.append(f"{language}: fuzzy {message.id!r} ({where})")
            elif (
                not all(translated.string)
                if isinstance(translated.string, tuple)
                else not translated.string
            ):
                found.append(f"{language}: empty {message.id!r} ({where})")
    return found + conflicts(language)


def todo(language: str, only: str | None = None) -> dict[str, str | list[str]]:
    """Untranslated messages: {msgid: ""}, or {msgid: ["", "", ...]} for plurals."""
    wanted = {}
    for domain in _domains(only):
        path = _po_path(language, domain)
        if not path.exists():
            continue
        catalog = _read(path, language)
        for message in catalog:
            if not message.id:
                continue
            plural = isinstance(message.id, tuple)
            key = _key(message)
            strings = message.string if plural else (message.string,)
            if message.fuzzy or not all(strings):
                # One string per plural form of the language (French has three in CLDR).
                wanted[key] = [""] * catalog.num_plurals if plural else ""
    return wanted


def fill(language: str, translations: dict, only: str | None = None) -> int:
    """Write translations ({msgid: msgstr}; plural msgid as JSON list) into the .po files."""
    written = 0
    for domain in _domains(only):
        path = _po_path(language, domain)
        if not path.exists():
            continue
        catalog = _read(path, language)
        for message in catalog:
            if not message.id:
                continue
            key = _key(message)
            if key not in translations and isinstance(message.id, tuple):
                key = json.dumps(list(message.id))  # files written before keys kept accents
            if key in translations and translations[key]:
                value = translations[key]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
                written += 1
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True)
    return written


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "update":
        update(argv[2] if len(argv) > 2 else None)
    elif command == "compile":
        compile_all()
    elif command == "todo":
        only = argv[3] if len(argv) > 3 else None
        print(json.dumps(todo(argv[2], only), ensure_ascii=False, indent=1))
    elif command == "fill":
        with open(argv[3], encoding="utf-8") as handle:
            translations = json.load(handle)
        only = argv[4] if len(argv) > 4 else None
        print(f"{fill(argv[2], translations, only)} messages written")
    elif command == "check":
        issues = [p for language in TRANSLATED_LANGUAGES for p in problems(language)]
        print("\n".join(issues) or "All catalogues complete.")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
