from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.markdown import LINK_REL, quote, render

# Payloads from the OWASP XSS filter evasion cheat sheet, plus Markdown-specific ones.
PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<div style=\"background-image: url(javascript:alert('XSS'))\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "[x](&#106;avascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
]


class _Elements(HTMLParser):
    """Collects the real elements and attributes of rendered HTML (text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "a", "strong", "em", "blockquote", "code", "pre", "ul", "ol", "li", "br", "del", "h3", "h4"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload: str) -> None:
    parser = _Elements()
    parser.feed(render(payload))
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:", "#", "/")), href


def test_links_get_rel_and_markdown_still_works() -> None:
    html = render("**bold** *it* [site](https://example.org)\n\n> quoted\n\n- one\n- two")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert f'rel="{LINK_REL}"' in html
    assert "<blockquote>" in html and "<li>one</li>" in html


def test_headings_are_demoted_below_the_page_title() -> None:
    assert "<h3>" in render("# Big") and "<h1>" not in render("# Big")


@pytest.mark.parametrize(("text", "levels"), [
    ("## Ma semaine\n\nNuits difficiles.", ["h3"]),  # was h4 straight under the page's h2 (walk31)
    ("# a\n\n## b\n\n### c", ["h3", "h4", "h5"]),
    ("#### four\n\n###### six", ["h3", "h5"]),
    ("# a\n\n## b\n\n### c\n\n#### d\n\n##### e", ["h3", "h4", "h5", "h6", "h6"]),
])
def test_a_members_highest_heading_is_h3_whatever_its_hashes(text: str, levels: list[str]) -> None:
    assert re.findall(r"<(h[1-6])>", render(text)) == levels


def test_quote_makes_a_blockquote() -> None:
    text = quote("Lucie", "ligne 1\n\nligne 2")
    assert text.startswith("> **Lucie**:") and "> ligne 2" in text
    assert "<blockquote>" in render(text)


def test_an_image_becomes_its_alt_text_linked_never_loaded_never_lost() -> None:
    html = render("Mon pilulier : ![boîte <b>Xanax</b> & co](https://example.org/p.png \"photo\") voilà")
    assert "<img" not in html
    assert ('<a href="https://example.org/p.png" rel="nofollow ugc noopener noreferrer">'
            "boîte &lt;b&gt;Xanax&lt;/b&gt; &amp; co</a>") in html
    # Without alt text the address itself is the link text; inside a link only the alt text stays.
    assert ">https://example.org/q.png</a>" in render("![](https://example.org/q.png)")
    nested = render("[![schéma](https://example.org/s.png)](https://example.org/page)")
    assert nested.count("<a ") == 1 and ">schéma</a>" in nested and "s.png" not in nested


def test_a_text_of_brackets_is_shown_as_plain_text_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    # markdown-it looks ahead of each "[" up to its nesting limit: 20,000 of them cost about a second per parse.
    from app import markdown

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed as Markdown")

    body = "<b>x</b>\n" + "[" * 20000 + "\n\nsecond"
    monkeypatch.setattr(markdown.MarkdownIt, "parse", refuse)
    parsed = markdown.parse(body)
    assert parsed.tokens is None
    assert parsed.html.startswith("<p>&lt;b&gt;x&lt;/b&gt;<br>[[[") and parsed.html.endswith("<p>second</p>")


def test_a_text_is_parsed_once_for_its_html_and_its_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import markdown
    from app.forum import references

    calls: list[str] = []
    real = markdown.MarkdownIt.parse

    def counting(self: object, src: str, env: object = None) -> object:
        calls.append(src)
        return real(self, src, env)  # type: ignore[arg-type]

    monkeypatch.setattr(markdown.MarkdownIt, "parse", counting)
    body = "Merci @Marie, voir [ceci](https://example.org)."
    parsed = markdown.parse(body)
    assert references.scan(body, parsed) == ([["Marie"]], []) and len(calls) == 1
    assert 'href="https://example.org"' in parsed.html


def test_rename_quote_authors_renames_headers_at_any_depth_and_nothing_else() -> None:
    from app.markdown import quote, rename_quote_authors

    text = quote("Bob", quote("Alice", "Bonjour **Alice**: ça va ?").strip()) + "**Alice**: pas un en-tête"
    renamed = rename_quote_authors(text, lambda author: "ancien membre" if author == "Alice" else None)
    assert renamed.splitlines()[:3] == ["> **Bob**:", "> > **ancien membre**:", "> > Bonjour **Alice**: ça va ?"]
    assert renamed.endswith("\n**Alice**: pas un en-tête")
