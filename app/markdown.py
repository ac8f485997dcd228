"""Markdown to safe HTML, once, at write time: markdown-it-py (no raw HTML), then nh3.

Two callers share the pipeline: members' posts (`render`) and the reviewed
resource pages kept under version control (`render_reviewed`). Both are
sanitised the same way; reviewed pages keep their own heading levels and may
link to phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "blockquote", "ul", "ol", "li", "code", "pre",
    "a", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
LINK_REL = "nofollow ugc noopener noreferrer"
# Reviewed pages are ours, not user content: no "ugc"/"nofollow", never a referrer.
REVIEWED_LINK_REL = "noopener noreferrer"
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """An image as its alt text, linked to its address: never loaded (no third-party request), never lost.

    Inside a link (``[![alt](img)](url)``) only the alt text is kept, as a link cannot hold another.
    """
    token = tokens[idx]
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env).strip())
    src = escapeHtml(str(token.attrGet("src") or ""))
    depth = sum(1 if t.type == "link_open" else -1 if t.type == "link_close" else 0 for t in tokens[:idx])
    if depth > 0 or not src:
        return alt
    return f'<a href="{src}">{alt or src}</a>'


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off: <script> and friends arrive as text, never as tags.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    parser.add_render_rule("image", _image_as_link)
    return parser


def _demote_headings(html: str) -> str:
    # Posts sit under the page's h1 and an h2 ("Messages", "Preview"): a member's highest heading becomes
    # h3 however many "#" it had, and the others keep their distance to it (at most h6). A fixed shift
    # made a lone "## Ma semaine" an h4 straight under an h2, a skipped level for screen-reader users.
    used = [level for level in range(1, 7) if f"<h{level}>" in html]
    if not used:
        return html
    shift = 3 - used[0]
    for level in (reversed(used) if shift > 0 else used):
        new = min(level + shift, 6)
        html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    return html


@cache
def _cleaner(link_rel: str, url_schemes: frozenset[str]) -> nh3.Cleaner:
    """Built once per kind of text: `nh3.clean` converted the allowed tags and attributes anew at every call
    (two thirds of its time for a post)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(url_schemes),
        link_rel=link_rel,
        strip_comments=True,
    )


def _clean(html: str, *, link_rel: str, url_schemes: frozenset[str]) -> str:
    return _cleaner(link_rel, url_schemes).clean(html)


# markdown-it looks ahead of every "[" for the "]" that would close a link, nesting up to its limit
# (20 levels) before it gives up: about 40 µs a bracket, against about 1.5 µs a character of prose, so
# 20,000 brackets took close to a second per parse (QA: a post of "[[[[..." held the write lock for
# seconds). No post needs a thousand links or brackets: a text with more is shown as plain text
# (paragraphs and line breaks kept, nothing lost), which keeps any text's cost within a few ms per
# thousand characters.
MAX_BRACKETS = 1000
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Parsed:
    """A member's text parsed once: its safe HTML, and the Markdown tokens it came from (None: shown as plain)."""

    html: str
    tokens: list[Token] | None


def _plain(text: str) -> str:
    return "".join(f"<p>{escapeHtml(part).replace(chr(10), '<br>')}</p>"
                   for part in _PARAGRAPHS.split(text.strip()) if part)


def shown_plain(markdown_text: str) -> bool:
    """Whether a member's text is shown as plain text rather than Markdown (see MAX_BRACKETS)."""
    return markdown_text.count("[") > MAX_BRACKETS


def parse(markdown_text: str) -> Parsed:
    """A member's post as HTML (headings demoted below the page's own), with the tokens read on the way."""
    if shown_plain(markdown_text):
        return Parsed(html=_plain(markdown_text), tokens=None)
    parser, env = _parser(), {}  # type: ignore[var-annotated]
    tokens = parser.parse(markdown_text, env)
    html = parser.renderer.render(tokens, parser.options, env)
    return Parsed(html=_clean(_demote_headings(html), link_rel=LINK_REL, url_schemes=URL_SCHEMES), tokens=tokens)


def render(markdown_text: str) -> str:
    """A member's post: headings demoted below the page's own."""
    return parse(markdown_text).html


def render_reviewed(markdown_text: str) -> str:
    """A reviewed page whose "##" sections sit directly under the page's h1; `tel:` links allowed."""
    return _clean(_parser().render(markdown_text), link_rel=REVIEWED_LINK_REL, url_schemes=URL_SCHEMES | {"tel"})


def quote(author: str, markdown_text: str) -> str:
    """A Markdown blockquote of another post, for the reply box."""
    lines = [f"> **{author}**:"] + [f"> {line}" if line else ">" for line in markdown_text.splitlines()]
    return "\n".join(lines) + "\n\n"


# A quote's header as `quote` writes it ("> **Pseudonym**:"; pseudonyms are 3 to 30 characters), at any depth:
# group 1 holds its ">" marks, group 2 the quoted author.
_QUOTE_HEADER = re.compile(r"^\s{0,3}((?:>\s?)+)\*\*([^*\n]{3,30})\*\*:")
_QUOTED_LINE = re.compile(r"^\s{0,3}>")


def rename_quote_authors(markdown_text: str, rename: Callable[[str], str | None]) -> str:
    """`markdown_text` with each quote's header (`quote`, at any depth) naming `rename(author)` when not None."""
    def header(match: re.Match[str]) -> str:
        name = rename(match.group(2).strip())
        if name is None:
            return match.group(0)
        return match.string[match.start():match.start(2)] + name + match.string[match.end(2):match.end()]

    return "\n".join(_QUOTE_HEADER.sub(header, line, count=1) for line in markdown_text.split("\n"))


def replace_quotes(markdown_text: str, replace: Callable[[str, int], str | None]) -> str:
    """`markdown_text` with its quotes of other posts (`quote`) passed to `replace(author, depth)`.

    A quote runs from its header to the end of the blockquote holding it. What `replace`
    returns takes the quote's place ("" removes it); None leaves it as it is.
    """
    lines = markdown_text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        header = _QUOTE_HEADER.match(lines[index])
        replacement = None if header is None else replace(header.group(2).strip(), header.group(1).count(">"))
        if replacement is None:
            out.append(lines[index])
            index += 1
            continue
        index += 1
        while index < len(lines) and _QUOTED_LINE.match(lines[index]):
            index += 1
        if replacement:
            out.append(replacement)
    return "\n".join(out)
