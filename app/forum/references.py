"""Whom a post names: @mentions of pseudonyms and the authors of the posts it quotes.

Read from the Markdown token stream, so a pseudonym inside code or inside a
quoted passage names no one: quoting a post that mentioned someone must not
notify them a second time. Quotes are recognised by the header that the reply
box writes (`markdown.quote`: "> **Pseudonym**:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import markdown
from app.accounts import names
from app.accounts.models import User, UserStatus
from app.forum.models import Post, PostStatus

# Pseudonyms are letters, digits and _ - . (accounts/names.py); an "@" inside a word
# (an e-mail address) is not a mention.
MENTION = re.compile(r"(?<![\w@.\-])@([\w.\-]{3,30})")
QUOTE_HEADER = re.compile(r"^\*\*([^*\n]{3,30})\*\*:")
# Like Discourse's max_mentions_per_post: a post naming dozens of members is a broadcast, not a mention.
MAX_MENTIONS = 10


@dataclass(frozen=True)
class References:
    mentioned_ids: tuple[int, ...] = ()
    quoted_ids: tuple[int, ...] = ()


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _candidates(name: str) -> list[str]:
    # "@Marie." at the end of a sentence: the dot belongs to the sentence, unless a
    # member is really called "Marie." (pseudonyms may end with . - _).
    stripped = name.rstrip(".-_")
    return [name, stripped] if stripped != name and len(stripped) >= names.MIN_LENGTH else [name]


def scan(body: str, parsed: markdown.Parsed | None = None) -> tuple[list[list[str]], list[str]]:
    """(mention candidates in order of appearance, quoted pseudonyms) found in a post's Markdown.

    `parsed` is `markdown.parse(body)`, made earlier by a caller that rendered the text: read, not parsed again.
    """
    mentions: list[list[str]] = []
    quoted: list[str] = []
    tokens = parsed.tokens if parsed is not None else None if markdown.shown_plain(body) else _parser().parse(body)
    if tokens is None:  # shown as plain text (markdown.parse): no quote, no code
        return [_candidates(m.group(1)) for m in MENTION.finditer(body)], quoted
    depth = 0
    expect_header = False
    for token in tokens:
        if token.type == "blockquote_open":
            depth += 1
            expect_header = depth == 1
            continue
        if token.type == "blockquote_close":
            depth -= 1
            continue
        if token.type != "inline":
            continue
        if depth:
            if expect_header and (match := QUOTE_HEADER.match(token.content)):
                quoted.append(match.group(1).strip())
            expect_header = False
            continue
        in_autolink = False
        for child in token.children or []:
            if child.type in ("link_open", "link_close") and child.markup == "autolink":
                in_autolink = child.type == "link_open"  # <https://…/@name>: an address, not a mention
            elif child.type == "text" and not in_autolink:
                mentions.extend(_candidates(m.group(1)) for m in MENTION.finditer(child.content))
    return mentions, quoted


# Where an "@name" in Markdown is no mention (`scan` reads only the text of paragraphs, headings, lists
# and quotes): a code span, a link's destination, an autolink, a link reference definition. Code blocks
# (fenced or indented) are found by the parser (`_code_block_lines`).
_NOT_MENTIONS = re.compile(
    r"(?<!`)(`+)(?!`)(?:(?!\n[ \t>]*\n)[\s\S])*?[^`]\1(?!`)"  # a code span, never across a blank line
    r"|\]\([^)\n]*\)"  # a link's (destination "title")
    r"|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*>"  # an autolink
    r"|^[ \t>]*\[[^\]\n]+\]:[^\n]*",  # [label]: destination
    re.MULTILINE,
)


def _code_block_lines(text: str) -> set[int]:
    return {line for token in _parser().parse(text) if token.type in ("fence", "code_block") and token.map
            for line in range(*token.map)}


def withhold_mentions_in_markdown(text: str, folded_names: frozenset[str], replacement: str) -> str:
    """`withhold_mentions` for a post's Markdown: the @mentions `scan` would find, and those in quotes.

    An "@name" in code, a link's destination or an autolink is left as it is: it was no mention
    when posted (`scan`), and rewriting it would break the address or the code the author wrote.
    """
    if not folded_names or "@" not in text:
        return text
    if markdown.shown_plain(text):  # shown as plain text: every "@name" is one, as `scan` reads it
        return withhold_mentions(text, folded_names, replacement)
    kept: list[tuple[int, int]] = []
    code_lines = _code_block_lines(text) if "`" in text or "~~~" in text or "    " in text or "\t" in text else set()
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        if number in code_lines:
            kept.append((offset, offset + len(line)))
        offset += len(line)
    kept += [match.span() for match in _NOT_MENTIONS.finditer(text)]
    out, position = [], 0
    for start, end in sorted(kept):
        if end <= position:
            continue
        start = max(start, position)
        out += [withhold_mentions(text[position:start], folded_names, replacement), text[start:end]]
        position = end
    out.append(withhold_mentions(text[position:], folded_names, replacement))
    return "".join(out)


def withhold_mentions(text: str, folded_names: frozenset[str], replacement: str) -> str:
    """`text` with each @mention of one of `folded_names` replaced by `replacement` (what follows the name kept).

    For text and for the text between an HTML body's tags alike: a mention is plain text to the renderer.
    """
    if not folded_names or "@" not in text:
        return text

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        for candidate in _candidates(name):
            if names.folded(candidate) in folded_names:
                return replacement + name[len(candidate):]
        return match.group(0)

    return MENTION.sub(swap, text)


def _users_by_folded(session: Session, pseudonyms: set[str]) -> dict[str, User]:
    if not pseudonyms:
        return {}
    folded = {names.folded(p) for p in pseudonyms}
    users = session.scalars(
        select(User).where(User.pseudonym_folded.in_(folded), User.status != UserStatus.deleted)
    )
    return {user.pseudonym_folded: user for user in users}


def find(session: Session, post: Post, body: str | None = None,
         scanned: tuple[list[list[str]], list[str]] | None = None) -> References:
    """The members a post mentions (at most MAX_MENTIONS) and the members it quotes; never its author.

    Never a member whose posts are withheld for erasure (User.posts_withdrawn).

    A quote counts only if its author has a published post in the same thread,
    so a hand-written quote header cannot be used to page an arbitrary member.
    `body` reads another version of the post's text (the one before an edit); `scanned` is
    `scan` of the post's text, made earlier by a caller that had it.
    Two queries at most, none when the post names no one.
    """
    mention_groups, quoted_names = scanned if scanned is not None else scan(post.body_md if body is None else body)
    wanted = {name for group in mention_groups for name in group} | set(quoted_names)
    # A member whose erasure, with their posts' text, is waiting has left as far as others can tell:
    # naming them pages no one (logging in again cancels the erasure and mentions notify again).
    users = {folded: user for folded, user in _users_by_folded(session, wanted).items() if not user.posts_withdrawn}
    mentioned: list[int] = []
    for group in mention_groups:
        user = next((users[f] for f in map(names.folded, group) if f in users), None)
        if user is not None and user.id != post.author_id and user.id not in mentioned:
            mentioned.append(user.id)
    mentioned = mentioned[:MAX_MENTIONS]
    quoted_users = {users[f].id for f in map(names.folded, quoted_names) if f in users} - {post.author_id}
    quoted: list[int] = []
    if quoted_users:
        quoted = sorted(session.scalars(
            select(Post.author_id).distinct().where(
                Post.thread_id == post.thread_id, Post.author_id.in_(quoted_users), Post.id != post.id,
                Post.status == PostStatus.published,
            )
        ))
    return References(mentioned_ids=tuple(mentioned), quoted_ids=tuple(q for q in quoted if q is not None))
