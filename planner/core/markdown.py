"""Markdown to safe HTML: proposals, minutes and comments are written in Markdown.

markdown-it-py renders (raw HTML in the source is escaped, not passed through), then nh3
(the Ammonia sanitiser) keeps only a small list of tags and attributes: no script, no style,
no event attribute, no javascript: or data: link survives, whatever the input.
"""

import difflib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])

TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Each block takes its direction from its own first letter (dir="auto"), so a note with a
# French paragraph and an Arabic one reads right in both, whatever the page's language.
_BLOCK = re.compile(r"<(p|li|h[1-6]|blockquote|td|th)(?=[ >])")


# The HTML depends on the text alone, and a page of minutes renders thirty notes (~2 ms):
# the recent ones are kept per process. Long texts are not, to bound the memory it takes.
CACHED_LENGTH = 20_000


def _render(text: str) -> Markup:
    html = _BLOCK.sub(r'<\1 dir="auto"', sanitize(_parser.render(text)))
    return Markup(html)  # noqa: S704 - sanitised just above; dir="auto" added to its own tags


_rendered = lru_cache(maxsize=512)(_render)


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a Markdown text (an empty string for None)."""
    if not text:
        return Markup("")
    return _rendered(text) if len(text) <= CACHED_LENGTH else _render(text)


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> Markup:
    """The change from `before` to `after`, word by word, as escaped text with <del>/<ins>."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(old[a1:a2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text is escaped above
