"""Proposal texts are Markdown rendered by planner.core.markdown: formatting survives,
nothing executable does; the word diff between two rounds escapes what it shows."""

import pytest

from planner.core.markdown import render_markdown, word_diff


def test_markdown_formatting_is_kept():
    html = str(render_markdown("# Titre\n\n**gras** *italique*\n\n- un\n- deux\n\n"
                               "| a | b |\n|---|---|\n| 1 | 2 |\n\n[lien](https://example.org)"))
    for fragment in ('<h1 dir="auto">Titre</h1>', "<strong>gras</strong>", "<em>italique</em>",
                     '<li dir="auto">un</li>', '<td dir="auto">1</td>',
                     '<a href="https://example.org" rel="noopener noreferrer nofollow">lien</a>'):
        assert fragment in html


def test_each_paragraph_takes_the_direction_of_its_own_text():
    # A note in French then in Arabic: each paragraph reads in its own direction.
    html = str(render_markdown("Le réseau adopte le plan ?\n\nتعتمد الشبكة الخطة؟"))
    assert html.count('<p dir="auto">') == 2


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<style>body { display: none }</style>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<div onclick="alert(1)" style="color:red">x</div>',
    "<iframe src='https://evil.example'></iframe>",
    '[x](https://example.org "a" onmouseover="alert(1)")',
])
def test_nothing_executable_survives(source):
    assert executable(str(render_markdown(source))) == []


def executable(html: str) -> list[str]:
    """Elements and attributes a browser would act on (escaped text does not count)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in {"p", "a", "strong", "em"}:
                found.append(tag)
            for name, value in attrs:
                if name not in ("href", "title", "rel") and (name, value) != ("dir", "auto"):
                    found.append(f"{tag} {name}")
                if name == "href" and not (value or "").startswith(("https:", "http:")):
                    found.append(f"{tag} href={value}")

    Finder().feed(html)
    return found


def test_empty_text_renders_nothing():
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_word_diff_marks_and_escapes():
    diff = str(word_diff("Adopt the <b>plan</b> now.", "Adopt the <b>plan</b> in 2018."))
    assert diff == "Adopt the &lt;b&gt;plan&lt;/b&gt; <del>now.</del><ins>in 2018.</ins>"
    assert str(word_diff("same text", "same text")) == "same text"
