from __future__ import annotations

import pytest

from app.forum.markdown import LINK_REL, quote, render

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


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload: str) -> None:
    html = render(payload).lower()
    assert "<script" not in html
    assert "javascript:" not in html.replace("&amp;", "&") or "href" not in html
    assert "vbscript:" not in html or "href" not in html
    assert " onerror=" not in html and " onload=" not in html and " ontoggle=" not in html
    assert "<iframe" not in html and "<img" not in html and "<svg" not in html and "<meta" not in html
    assert 'href="data:' not in html and 'href="javascript' not in html


def test_links_get_rel_and_markdown_still_works() -> None:
    html = render("**bold** *it* [site](https://example.org)\n\n> quoted\n\n- one\n- two")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert f'rel="{LINK_REL}"' in html
    assert "<blockquote>" in html and "<li>one</li>" in html


def test_headings_are_demoted_below_the_page_title() -> None:
    assert "<h3>" in render("# Big") and "<h1>" not in render("# Big")


def test_quote_makes_a_blockquote() -> None:
    text = quote("Lucie", "ligne 1\n\nligne 2")
    assert text.startswith("> **Lucie**:") and "> ligne 2" in text
    assert "<blockquote>" in render(text)
