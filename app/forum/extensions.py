"""Per-post marks that domains built on the forum add to its pages and API, without the forum importing them.

Research lets a post's author mark it "never quote". A domain registers once at
start-up (its install(), called by create_app):
- a provider, (session, viewer, the viewer's own posts) -> {post_id: {mark: bool}};
- optionally a template, included in the footer of each of the viewer's own
  published posts, that reads `post_marks[post.id]`.
Marks are private to the post's author: nobody else is shown them or asked for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.forum.models import Post

MarksProvider = Callable[[Session, User, Sequence[Post]], dict[int, dict[str, bool]]]

_providers: list[MarksProvider] = []
FOOTER_TEMPLATES: list[str] = []


def register(provider: MarksProvider, *, footer_template: str | None = None) -> None:
    """Registering twice is harmless (create_app runs once per app, tests make many)."""
    if provider not in _providers:
        _providers.append(provider)
    if footer_template is not None and footer_template not in FOOTER_TEMPLATES:
        FOOTER_TEMPLATES.append(footer_template)


def own_marks(session: Session, viewer: User | None, posts: Sequence[Post]) -> dict[int, dict[str, bool]]:
    """The viewer's marks on those of `posts` they wrote; every own post has an entry, even without marks."""
    if viewer is None:
        return {}
    own = [post for post in posts if post.author_id == viewer.id]
    if not own:
        return {}
    marks: dict[int, dict[str, bool]] = {post.id: {} for post in own}
    for provider in _providers:
        for post_id, found in provider(session, viewer, own).items():
            if post_id in marks:
                marks[post_id].update(found)
    return marks
