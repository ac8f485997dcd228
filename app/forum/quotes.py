"""Other members' quotes of a post whose author asked for its text's erasure, and their @mentions of that author.

The reply box writes a quote as a blockquote headed by its author's pseudonym
(`markdown.quote`: "> **Pseudonym**:"), copied into the replying member's own
post. When the quoted member asks for their account's erasure with their
posts' text, those copies are their words too:

- during the grace period the quoting posts stay as their authors wrote them
  (logging in again cancels the erasure), and every reader is shown the quote
  as a short "quoted text removed at its author's request" instead
  (`shown_bodies`, at render time); their @mentions of that member show a
  neutral "(name withheld)" the same way, so the pseudonym of a member who is
  leaving is not left on every page that named them;
- when the erasure is final the quote blocks are replaced in the stored text,
  in every version of the quoting posts (`erase_quotes_of`), since the name
  that identified them is about to be freed;
- at the final erasure, whatever becomes of the member's posts, every @mention
  of them in the stored text of posts, their earlier versions and thread
  titles becomes ERASED_MENTION (`erase_mentions_of`). Once the account is
  deleted its pseudonym is free: anyone may sign up with it (or a look-alike)
  the next minute, and an old "@name" must not point at them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markupsafe import escape
from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, contains_eager

from app import markdown
from app.accounts import names
from app.accounts import service as accounts
from app.forum import references
from app.forum.models import Post, PostRevision, PostStatus, Thread
from app.i18n import translations
from app.i18n_markers import N_

QUOTE_REMOVED = N_("Quoted text removed at its author's request.")
NAME_WITHHELD = N_("(name withheld)")
#: What an @mention of a member whose account was erased becomes in the stored text: the same in every
#: language, no name, no link, and no longer a mention (references.MENTION wants 3 name characters).
ERASED_MENTION = "@\u2026"
# As markdown.render writes a quote's header ("> **Name**:"); pseudonyms are 3 to 30 characters.
_HTML_HEADER = re.compile(r"<blockquote>\s*<p><strong>([^<]{3,30})</strong>:")
_HTML_TAG = re.compile(r"<(/?)blockquote>")
_ANY_TAG = re.compile(r"(<[^>]*>)")


def removed_text(lang: str) -> str:
    return translations(lang).gettext(QUOTE_REMOVED)


def _closing(html: str, start: int) -> int:
    """The index just after the </blockquote> that closes the one opening at `start`."""
    depth = 0
    for tag in _HTML_TAG.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return len(html)


def withhold_in_html(html: str, folded_names: frozenset[str], placeholder: str) -> str:
    """`html` with every quote headed by one of `folded_names` (nested ones too) replaced by `placeholder`."""
    out: list[str] = []
    position = 0
    for match in _HTML_HEADER.finditer(html):
        if match.start() < position or names.folded(match.group(1).strip()) not in folded_names:
            continue
        out += [html[position:match.start()], placeholder]
        position = _closing(html, match.start())
    if not out:
        return html
    return "".join(out) + html[position:]


def withhold_mentions_in_html(html: str, folded_names: frozenset[str], placeholder: str) -> str:
    """`html` with the @mentions of `folded_names` in its text (never in a tag's attributes) made `placeholder`."""
    parts = _ANY_TAG.split(html)
    parts[::2] = [references.withhold_mentions(text, folded_names, placeholder) for text in parts[::2]]
    return "".join(parts)


def mention_placeholder_html(lang: str) -> str:
    return (f'<span class="mention-withheld" lang="{lang}">'
            f'{escape(translations(lang).gettext(NAME_WITHHELD))}</span>')


def placeholder_html(lang: str) -> str:
    # In the reader's language (the page's), marked as such inside a post written in the thread's.
    return f'<blockquote class="quote-removed" lang="{lang}"><p><em>{escape(removed_text(lang))}</em></p></blockquote>'


def shown_bodies(session: Session, posts: Iterable[Post], *, lang: str) -> dict[int, str]:
    """The HTML to show instead of `body_html` for posts quoting or mentioning a member whose posts are withheld.

    No query unless one of the posts quotes or mentions someone; then one (the members
    awaiting such an erasure: a week's worth at most).
    """
    naming = [post for post in posts if "@" in post.body_html
              or ("<blockquote>" in post.body_html and "<strong>" in post.body_html)]
    if not naming:
        return {}
    withdrawn = accounts.withdrawn_folded_pseudonyms(session)
    if not withdrawn:
        return {}
    placeholder, mention = placeholder_html(lang), mention_placeholder_html(lang)
    shown = {}
    for post in naming:
        html = withhold_mentions_in_html(withhold_in_html(post.body_html, withdrawn, placeholder), withdrawn, mention)
        if html != post.body_html:
            shown[post.id] = html
    return shown


def withhold_in_markdown(body: str, folded_names: frozenset[str], text: str) -> str:
    """`body` with each top-level quote headed by one of `folded_names` replaced by a one-line quote of `text`."""
    return markdown.replace_quotes(
        body, lambda author, depth: f"> *{text}*" if depth == 1 and names.folded(author) in folded_names else None)


def erase_quotes_of(session: Session, *, pseudonym: str, thread_ids: Sequence[int]) -> list[int]:
    """The final erasure: quotes of `pseudonym` leave others' posts in these threads, every version; returns ids.

    Quotes are written in the thread where the quoted post is, so the threads
    the member posted in are where to look.
    """
    if not thread_ids:
        return []
    folded = frozenset({names.folded(pseudonym)})
    needle = f"**{pseudonym}**:".casefold()
    changed: dict[int, str] = {}  # post id -> the thread's language
    candidates = session.scalars(select(Post).join(Post.thread).options(contains_eager(Post.thread)).where(
        Post.thread_id.in_(list(thread_ids)), Post.status != PostStatus.deleted).order_by(Post.id))
    for post in candidates:
        if needle not in post.body_md.casefold():
            continue
        body = withhold_in_markdown(post.body_md, folded, removed_text(post.thread.lang))
        if body != post.body_md:
            post.body_md, post.body_html = body, markdown.render(body)
            changed[post.id] = post.thread.lang
    if changed:
        for revision in session.scalars(select(PostRevision).where(PostRevision.post_id.in_(list(changed)))):
            if needle in revision.body_md.casefold():
                text = removed_text(changed[revision.post_id])
                revision.body_md = withhold_in_markdown(revision.body_md, folded, text)
    session.flush()
    return list(changed)


#: Who a quote of a member whose account was erased is from, as the forum signs their kept posts.
FORMER_MEMBER = N_("former member")


def _headers(pseudonym: str) -> set[str]:
    # Quote headers ("**Name**:") are written by the forum from the pseudonym as registered: matched in the
    # database without case (SQLite folds ASCII letters only), in the usual spellings.
    return {f"**{name}**:" for name in (pseudonym, names.folded(pseudonym), pseudonym.upper())}


# A mention may be typed in any case or width ("@ÉLOÏSE", "@Ａｎｎ"): the database cannot fold those, so any
# text with an at sign (NFKC folds the full-width one) is a candidate, and Python folds it as mentions do.
_AT_SIGNS = ("@", "\uff20")


def _candidates(session: Session, column: InstrumentedAttribute[str], key: InstrumentedAttribute[int],
                pseudonym: str) -> list[int]:
    """The keys of the rows whose text may mention or quote `pseudonym`, in the order of the keys."""
    name = names.folded(pseudonym)
    mention, header = f"@{name}", f"**{name}**:"
    rows = session.execute(select(key, column).where(or_(*(column.contains(sign) for sign in _AT_SIGNS),
                                                         *(column.icontains(h, autoescape=True)
                                                           for h in _headers(pseudonym))))
                           .order_by(key))
    return [row_key for row_key, text in rows.tuples() if mention in (folded := names.folded(text)) or header in folded]


def _without_name(text: str, folded: frozenset[str], lang: str) -> str:
    text = references.withhold_mentions_in_markdown(text, folded, ERASED_MENTION)
    if "**" not in text:
        return text
    former = translations(lang).gettext(FORMER_MEMBER)
    return markdown.rename_quote_authors(text, lambda author: former if names.folded(author) in folded else None)


def posts_naming(session: Session, *, pseudonym: str) -> list[int]:
    """The posts that may mention or quote `pseudonym` (before the erasure rewrites them), by id."""
    return _candidates(session, Post.body_md, Post.id, pseudonym)


def erase_mentions_of(session: Session, *, pseudonym: str, naming: Sequence[int] | None = None) -> list[int]:
    """The final erasure: others' posts stop naming `pseudonym`; returns the ids of the posts changed.

    `naming`: the posts `posts_naming` found earlier in the erasure, when the caller has them (the
    rewrites since then only took names out), so the posts are not read a second time.

    Every @mention becomes ERASED_MENTION, in posts of any status, their earlier versions
    and thread titles; the headers of quotes still in posts (the member kept their posts'
    text, or quotes nested in another member's quote) name a "former member" in the
    thread's language, as the kept posts are signed. A post's HTML is rendered again
    from its new Markdown through the posts' pipeline. Through the ORM, like an edit,
    so the search outbox and the visitors' page versions follow. Not marked as edited:
    the authors' words are unchanged, only a name left.
    """
    folded = frozenset({names.folded(pseudonym)})
    changed: dict[int, str] = {}  # post id -> the thread's language
    posts = _candidates(session, Post.body_md, Post.id, pseudonym) if naming is None else naming
    for post in session.scalars(select(Post).join(Post.thread).options(contains_eager(Post.thread))
                                .where(Post.id.in_(posts)).order_by(Post.id)) if posts else ():
        body = _without_name(post.body_md, folded, post.thread.lang)
        if body != post.body_md:
            post.body_md, post.body_html = body, markdown.render(body)
            changed[post.id] = post.thread.lang
    revisions = _candidates(session, PostRevision.body_md, PostRevision.id, pseudonym)
    for revision, lang in session.execute(
            select(PostRevision, Thread.lang).join(Post, Post.id == PostRevision.post_id)
            .join(Thread, Thread.id == Post.thread_id).where(PostRevision.id.in_(revisions))).tuples() \
            if revisions else ():
        revision.body_md = _without_name(revision.body_md, folded, lang)
    titles = _candidates(session, Thread.title, Thread.id, pseudonym)
    for thread in session.scalars(select(Thread).where(Thread.id.in_(titles))) if titles else ():
        thread.title = references.withhold_mentions(thread.title, folded, ERASED_MENTION)
    session.flush()
    return list(changed)
