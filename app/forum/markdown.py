"""Markdown to safe HTML, once, at write time: markdown-it-py (no raw HTML), then nh3."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "blockquote", "ul", "ol", "li", "code", "pre",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
LINK_REL = "nofollow ugc noopener noreferrer"


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off: <script> and friends arrive as text, never as tags.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def _demote_headings(html: str) -> str:
    # Posts sit under the page's h1/h2; members' "#" headings become h3 and below.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def render(markdown_text: str) -> str:
    html = _demote_headings(_parser().render(markdown_text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def quote(author: str, markdown_text: str) -> str:
    """A Markdown blockquote of another post, for the reply box."""
    lines = [f"> **{author}**:"] + [f"> {line}" if line else ">" for line in markdown_text.splitlines()]
    return "\n".join(lines) + "\n\n"
