"""A thread page's posts: each rendered once, then reused for every reader it looks the same to.

A post looks the same to every member who did not write it and does not moderate,
except for three personal parts: which reactions the reader gave, whether they open
content notes by default, and their form token. Those are rendered as markers (a
per-process secret, so a post's text cannot forge one) and filled in for each
request. Two per-worker caches hold the rest:

- posts, keyed by what their HTML is made of as loaded for the page (status, text,
  edits, author, reaction counts, the author's taper line, the language), never a
  version number: a post hidden, edited or reacted to has another key at once;
- whole pages of posts as members see them, keyed by the versions of the thread and
  of what every page shows (app/page_versions: bumped in the transaction of every
  change, read before the posts), the page, its size, language and day (taper lines).
  A member served from it costs two small queries (the versions with their last visit,
  and their own reactions) instead of loading and rendering the posts.

The reader's own posts (their edit links, their held posts) and every page of a
moderator or administrator are rendered whole for them, as before.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from markupsafe import escape
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.diary.service import today as diary_today
from app.diary.taper_line import TaperLineView
from app.forum import extensions, queries, quotes
from app.forum.models import Post, Thread
from app.forum.permissions import ForumPermissions
from app.forum.queries import ReactionSummary
from app.i18n import get_locale
from app.pagination import Page
from app.web.templating import base_context, environment

_NONCE = secrets.token_hex(8)
_MARK = re.compile("\x00" + _NONCE + r":(\w+):(\d*):(\w*)\x00")
_SEPARATOR = f"\x00{_NONCE}:end::\x00"
_CSRF_MARKER = f"\x00{_NONCE}:csrf::\x00"
_FORM_NONCE_MARKER = f"\x00{_NONCE}:nonce::\x00"


def _marker(name: str, post_id: int | str = "", kind: str = "") -> str:
    # Nothing in a marker is changed by autoescaping: it goes through templates as it is.
    return f"\x00{_NONCE}:{name}:{post_id}:{kind}\x00"


class Personal:
    """The personal parts of a post, as _post.html asks for them: filled in, or left as markers."""

    def __init__(self, reactions: dict[int, ReactionSummary], expanded_notes: set[str], *, markers: bool) -> None:
        self.reactions = reactions
        self.expanded_notes = expanded_notes
        self.markers = markers

    def _gave(self, post_id: int, kind: str) -> bool:
        summary = self.reactions.get(post_id)
        return summary is not None and kind in summary.mine

    def given(self, post: Post, kind: str) -> str:
        """" given" on a reaction button the reader pressed (a class)."""
        if self.markers:
            return _marker("given", post.id, kind)
        return " given" if self._gave(post.id, kind) else ""

    def pressed(self, post: Post, kind: str) -> str:
        """The reaction button's aria-pressed."""
        if self.markers:
            return _marker("pressed", post.id, kind)
        return "true" if self._gave(post.id, kind) else "false"

    def toggle(self, post: Post, kind: str) -> str:
        """The reaction form's `given`: "0" takes back a reaction the reader gave, "1" gives it."""
        if self.markers:
            return _marker("toggle", post.id, kind)
        return "0" if self._gave(post.id, kind) else "1"

    def note_open(self, post: Post) -> str:
        """" open" on a content note the reader chose to see unfolded."""
        if self.markers:
            return _marker("open", post.id, post.content_note or "")
        return " open" if post.content_note in self.expanded_notes else ""

    def fill(self, html: str, csrf_token: str) -> str:
        """The markers of a shared rendering, replaced with this reader's parts."""
        def part(match: re.Match[str]) -> str:
            name, post_id, kind = match.groups()
            if name == "csrf":
                return str(escape(csrf_token))
            if name == "open":
                return " open" if kind and kind in self.expanded_notes else ""
            gave = self._gave(int(post_id), kind)
            if name == "given":
                return " given" if gave else ""
            if name == "toggle":
                return "0" if gave else "1"
            return "true" if gave else "false"  # pressed

        return _MARK.sub(part, html)


class FragmentCache:
    """Strings by key, least recently used dropped past `max_bytes` of them (roughly: characters)."""

    def __init__(self, max_bytes: int = 16 << 20) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[Hashable]) -> list[Any]:
        with self._lock:
            found = []
            for key in keys:
                value = self._items.get(key)
                if value is not None:
                    self._items.move_to_end(key)
                found.append(value)
            return found

    def get(self, key: Hashable) -> Any:
        return self.get_many([key])[0]

    def put_many(self, items: Sequence[tuple[Hashable, Any]], size: Any = len) -> None:
        with self._lock:
            for key, value in items:
                self._bytes += size(value) - self._sizes.get(key, 0)
                self._items[key], self._sizes[key] = value, size(value)
                self._items.move_to_end(key)
            while self._bytes > self.max_bytes and self._items:
                old, _value = self._items.popitem(last=False)
                self._bytes -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._bytes = 0


CACHE = FragmentCache()  # posts (content-keyed: right for any database)


def _app_cache(app: Any, name: str, max_bytes: int = 16 << 20) -> FragmentCache:
    """The application's cache called `name`, made on first use."""
    cache: FragmentCache | None = getattr(app.state, name, None)
    if cache is None:
        cache = FragmentCache(max_bytes)
        setattr(app.state, name, cache)
    return cache


def member_pages(app: Any) -> FragmentCache:
    """Pages of posts as members see them (SharedPage), per application: their keys hold versions,
    which only mean something in one database."""
    return _app_cache(app, "member_pages")


@dataclass(frozen=True)
class SharedPage:
    """A page of a thread's posts as every plain member sees it, with markers for their personal parts."""

    post_ids: tuple[int, ...]
    author_ids: frozenset[int]
    page: int
    pages: int
    total: int
    html: str
    # `html` filled in for a reader who gave no reaction here and unfolds no content note, form
    # token still a marker: most readers, served with one replace instead of a pass over every marker.
    plain: str
    has_notes: bool  # a post on the page has a content note (its "open" depends on the reader)


@dataclass
class ThreadPostsView:
    posts: Page[Post]  # no items when the page came whole from the cache (post_ids has them)
    post_ids: tuple[int, ...]
    html: str  # for thread.html, |safe
    visited_at: dt.datetime | None  # the member's previous visit, as read with the page
    reader_parts: dict[str, Any] | None = None  # queries.READER_STATE_PARTS as read with the page (plain members)


def shares_fragments(viewer: User | None) -> bool:
    """Readers to whom others' posts look alike: visitors and members who moderate nothing."""
    return viewer is None or (not viewer.is_moderator and not viewer.moderated_lang_list)


def fragment_key(post: Post, *, member: bool, reactions: dict[int, ReactionSummary],
                 taper_lines: dict[int, TaperLineView], shown_body: str | None = None) -> Hashable:
    """Everything a post's shared HTML is made of (see _post.html), as loaded for this page.

    `shown_body`: the HTML shown instead of its body_html (forum/quotes.py), if any.
    """
    summary = reactions.get(post.id)
    taper = taper_lines.get(post.author_id) if post.author_id else None
    return (
        get_locale(), member, post.id, post.thread_id, post.status, post.created_at, post.edited_at,
        post.moderation_edited_at, post.content_note, post.notices, shown_body or post.body_html, post.author_id,
        post.author.public_pseudonym if post.author else None,
        tuple(sorted(summary.counts.items())) if summary else (),
        (taper.text, taper.user_id, taper.members_can_view) if taper else None,
    )


def _render(request: Request, posts: Sequence[Post], context: dict[str, Any]) -> list[str]:
    """Several posts in one template call, split apart again."""
    env = environment(get_locale())
    html = env.get_template("forum/_posts.html").render({
        **base_context(request), **context, "posts": posts, "separator": _SEPARATOR,
    })
    return html.split(_SEPARATOR)[:len(posts)]


def render_posts(request: Request, posts: Sequence[Post], *, viewer: User | None, context: dict[str, Any],
                 reactions: dict[int, ReactionSummary], taper_lines: dict[int, TaperLineView],
                 personal: Personal, cache: FragmentCache = CACHE) -> str:
    """The page's posts as HTML, in order: others' posts from the cache, the reader's own rendered for them.

    `context` is what _post.html needs of the page (thread, labels, permissions, ...). Shared posts
    keep their markers: `personal.fill` puts this reader's parts in.
    """
    shared = [post for post in posts if shares_fragments(viewer) and (viewer is None or post.author_id != viewer.id)]
    shown_bodies = context.get("shown_bodies", {})
    keys = [fragment_key(post, member=viewer is not None, reactions=reactions, taper_lines=taper_lines,
                         shown_body=shown_bodies.get(post.id)) for post in shared]
    html: dict[int, str] = {post.id: found for post, found in zip(shared, cache.get_many(keys), strict=True) if found}
    missing = [(post, key) for post, key in zip(shared, keys, strict=True) if post.id not in html]
    if missing:
        # For any member who is not the author: the permissions of a reader who wrote none of
        # them (the same answers for such posts), no viewer data, markers for the personal parts.
        rendered = _render(request, [post for post, _key in missing], {
            **context, "reactions": reactions, "taper_lines": taper_lines,
            "viewer": _Member() if viewer is not None else None, "can": ForumPermissions(None),
            "personal": Personal({}, set(), markers=True), "csrf_token": _marker("csrf"), "post_marks": {},
        })
        cache.put_many([(key, fragment) for (_post, key), fragment in zip(missing, rendered, strict=True)])
        html.update((post.id, fragment) for (post, _key), fragment in zip(missing, rendered, strict=True))
    own = [post for post in posts if post.id not in html]
    if own:
        html.update(zip([post.id for post in own], _render(request, own, {
            **context, "reactions": reactions, "taper_lines": taper_lines, "personal": personal,
        }), strict=True))
    return "".join(html[post.id] for post in posts)


def _page_key(thread: Thread, page: int, size: int, state: queries.ReaderState) -> Hashable:
    return thread.id, page, size, get_locale(), state.versions, diary_today()


def thread_posts(request: Request, session: Session, *, viewer: User | None, thread: Thread, page: int,
                 size: int, context: dict[str, Any]) -> ThreadPostsView:
    """The posts of a thread page for this reader: from the members' page cache when it applies."""
    expanded = set(viewer.expand_note_list) if viewer is not None else set()
    csrf_token = getattr(request.state, "csrf_token", "")
    state = queries.reader_state(session, viewer, thread) if viewer is not None and shares_fragments(viewer) else None
    key = _page_key(thread, page, size, state) if state is not None and not state.holds_own else None
    pages = member_pages(request.app)
    stored: SharedPage | None = pages.get(key) if key is not None else None
    if stored is not None and viewer is not None and viewer.id not in stored.author_ids:
        if state is not None and not state.reactions and not (expanded and stored.has_notes):
            html = stored.plain.replace(_CSRF_MARKER, str(escape(csrf_token)))
        else:
            html = Personal(state.reactions if state else {}, expanded, markers=False).fill(stored.html, csrf_token)
        return ThreadPostsView(posts=Page(items=[], page=stored.page, pages=stored.pages, total=stored.total),
                               post_ids=stored.post_ids, html=html, visited_at=state.visited_at if state else None,
                               reader_parts=state.parts if state else None)
    found = queries.list_posts_with_taper_lines(session, viewer, thread, page=page, size=size,
                                                with_visit=state is None)
    posts = found.posts
    reactions = queries.reaction_summaries(session, viewer, [post.id for post in posts.items])
    personal = Personal(reactions, expanded, markers=False)
    html = render_posts(request, posts.items, viewer=viewer, reactions=reactions, taper_lines=found.taper_lines,
                        personal=personal, context={
                            **context, "post_marks": extensions.own_marks(session, viewer, posts.items),
                            "shown_bodies": quotes.shown_bodies(session, posts.items, lang=get_locale())})
    authors = frozenset(post.author_id for post in posts.items if post.author_id is not None)
    if key is not None and posts.items and viewer is not None and viewer.id not in authors:
        plain = Personal({}, set(), markers=False).fill(html, _CSRF_MARKER)
        pages.put_many([(key, SharedPage(post_ids=tuple(post.id for post in posts.items), author_ids=authors,
                                         page=posts.page, pages=posts.pages, total=posts.total, html=html,
                                         plain=plain, has_notes=any(post.content_note for post in posts.items)))],
                       size=lambda stored_page: len(stored_page.html))
    return ThreadPostsView(posts=posts, post_ids=tuple(post.id for post in posts.items),
                           html=personal.fill(html, csrf_token),
                           visited_at=state.visited_at if state is not None else found.visited_at,
                           reader_parts=state.parts if state is not None else None)


def reply_forms(app: Any) -> FragmentCache:
    """The thread pages' reply forms (see reply_form), per application (their links are its routes)."""
    return _app_cache(app, "reply_forms", max_bytes=4 << 20)


def reply_form(request: Request, *, thread: Thread, body: str, welcome_hold: bool,
               context: dict[str, Any]) -> str:
    """The thread page's reply form (forum/_reply.html) for a member who may reply.

    An empty form is the same for every member but for their form token, the form's nonce (new
    for each page: see forum.service, the same form sent twice posts once) and whether their first
    posts are held: rendered once per thread, its language, the page's language and that hold,
    then the token and a new nonce put in. A form with a quote in it (`body`) is rendered for the
    request. `context`: what _composer.html needs of the page (note_labels). For thread.html, |safe.
    """
    csrf_token = str(escape(getattr(request.state, "csrf_token", "")))
    values = {**context, "thread": thread, "errors": {}, "welcome_hold": welcome_hold}
    if body:
        return environment(get_locale()).get_template("forum/_reply.html").render({
            **base_context(request), **values, "form": {"body": body, "lang": thread.lang},
        })
    key = (get_locale(), thread.id, thread.lang, welcome_hold)
    forms = reply_forms(request.app)
    html: str | None = forms.get(key)
    if html is None:
        html = environment(get_locale()).get_template("forum/_reply.html").render({
            **base_context(request), **values, "csrf_token": _CSRF_MARKER,
            "form": {"body": "", "lang": thread.lang, "form_nonce": _FORM_NONCE_MARKER},
        })
        forms.put_many([(key, html)])
    return html.replace(_CSRF_MARKER, csrf_token).replace(_FORM_NONCE_MARKER, secrets.token_urlsafe(16))


class _Member:
    """Stands for "a member" in a shared rendering: true, and nothing else (no pseudonym, no id)."""

    def __bool__(self) -> bool:
        return True
