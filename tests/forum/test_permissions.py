"""Who may see, write, edit and flag what: each `can_*` rule and each `access_*` loader."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.errors import NotFound, PermissionDenied
from app.forum import permissions as p
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from tests.factories import make_category, make_thread, make_user


def _thread(status: PostStatus = PostStatus.published, *, author_id: int = 1, locked: bool = False,
            visibility: Visibility = Visibility.public, lang: str = "fr") -> Thread:
    thread = Thread(id=1, status=status, author_id=author_id, locked=locked, lang=lang)
    thread.category = Category(visibility=visibility)
    return thread


def _post(status: PostStatus, *, author_id: int = 1) -> Post:
    return Post(id=1, status=status, author_id=author_id)


AUTHOR = User(id=1, role=Role.member)
OTHER = User(id=2, role=Role.member)
MODERATOR = User(id=3, role=Role.moderator, moderated_langs="fr")
ADMIN = User(id=4, role=Role.admin)
SILENCED = User(id=5, role=Role.member, restriction="silenced")
SUSPENDED = User(id=6, role=Role.member, restriction="suspended")


@pytest.mark.parametrize(("viewer", "visibility", "allowed"), [
    (None, Visibility.public, True), (None, Visibility.members, False), (OTHER, Visibility.members, True),
])
def test_can_see_category(viewer: User | None, visibility: Visibility, allowed: bool) -> None:
    assert p.can_see_category(viewer, Category(visibility=visibility)) is allowed


@pytest.mark.parametrize(("viewer", "status", "allowed"), [
    (None, PostStatus.published, True), (None, PostStatus.held, False),
    (AUTHOR, PostStatus.held, True), (OTHER, PostStatus.held, False), (MODERATOR, PostStatus.held, True),
    (AUTHOR, PostStatus.hidden, True), (OTHER, PostStatus.hidden, False), (MODERATOR, PostStatus.hidden, True),
    (AUTHOR, PostStatus.removed, True), (OTHER, PostStatus.removed, False), (OTHER, PostStatus.deleted, False),
])
def test_can_see_thread(viewer: User | None, status: PostStatus, allowed: bool) -> None:
    assert p.can_see_thread(viewer, _thread(status)) is allowed


def test_a_members_only_thread_is_hidden_from_visitors_whatever_its_status() -> None:
    assert not p.can_see_thread(None, _thread(visibility=Visibility.members))
    assert p.can_see_thread(OTHER, _thread(visibility=Visibility.members))
    # A suspended account sees what a visitor sees; a silenced one still reads as a member.
    assert not p.can_see_thread(SUSPENDED, _thread(visibility=Visibility.members))
    assert p.can_see_thread(SILENCED, _thread(visibility=Visibility.members))


@pytest.mark.parametrize(("viewer", "status", "allowed"), [
    (None, PostStatus.published, True), (None, PostStatus.hidden, False), (OTHER, PostStatus.held, False),
    (AUTHOR, PostStatus.held, True), (AUTHOR, PostStatus.hidden, True), (OTHER, PostStatus.hidden, False),
    (AUTHOR, PostStatus.removed, True), (OTHER, PostStatus.removed, False), (MODERATOR, PostStatus.hidden, True),
    (MODERATOR, PostStatus.deleted, True),
])
def test_can_see_post_body(viewer: User | None, status: PostStatus, allowed: bool) -> None:
    assert p.can_see_post_body(viewer, _post(status)) is allowed


@pytest.mark.parametrize(("viewer", "status", "allowed"), [
    (AUTHOR, PostStatus.published, True), (AUTHOR, PostStatus.held, True), (AUTHOR, PostStatus.hidden, False),
    (AUTHOR, PostStatus.deleted, False), (OTHER, PostStatus.published, False),
    (MODERATOR, PostStatus.published, False), (None, PostStatus.published, False),
])
def test_only_the_author_edits_a_live_post(viewer: User | None, status: PostStatus, allowed: bool) -> None:
    assert p.can_edit_post(viewer, _post(status)) is allowed


@pytest.mark.parametrize(("viewer", "locked", "allowed"), [
    (None, False, False), (OTHER, False, True), (OTHER, True, False), (MODERATOR, True, True),
    (SILENCED, False, False), (SUSPENDED, False, False),
])
def test_can_reply(viewer: User | None, locked: bool, allowed: bool) -> None:
    assert p.can_reply(viewer, _thread(locked=locked)) is allowed


@pytest.mark.parametrize(("viewer", "allowed"), [(None, False), (OTHER, False), (AUTHOR, True), (MODERATOR, True)])
def test_revisions_are_for_the_author_and_moderators(viewer: User | None, allowed: bool) -> None:
    assert p.can_see_revisions(viewer, _post(PostStatus.published)) is allowed


@pytest.mark.parametrize(("viewer", "lang", "allowed"), [
    (None, "fr", False), (OTHER, "fr", False), (MODERATOR, "fr", True), (MODERATOR, "nl", False), (ADMIN, "nl", True),
])
def test_flags_are_for_the_threads_moderators(viewer: User | None, lang: str, allowed: bool) -> None:
    thread = _thread(lang=lang)
    assert p.can_set_flags(viewer, thread) is allowed
    assert p.ForumPermissions(viewer).set_flags(thread) is allowed
    assert p.ForumPermissions(viewer).moderate(thread) is allowed


@pytest.mark.parametrize(("viewer", "status", "allowed"), [
    (None, PostStatus.published, True), (OTHER, PostStatus.published, True), (AUTHOR, PostStatus.published, False),
    (OTHER, PostStatus.held, False), (OTHER, PostStatus.hidden, False),
])
def test_anyone_who_reads_a_post_may_report_it_but_its_author(viewer: User | None, status: PostStatus,
                                                              allowed: bool) -> None:
    assert p.can_report(viewer, _post(status)) is allowed


def test_template_permissions_answer_as_the_functions_do() -> None:
    can = p.ForumPermissions(AUTHOR)
    post, thread = _post(PostStatus.held), _thread(locked=True)
    assert (can.edit(post), can.see_body(post), can.see_revisions(post), can.reply(thread)) == (
        p.can_edit_post(AUTHOR, post), p.can_see_post_body(AUTHOR, post), p.can_see_revisions(AUTHOR, post),
        p.can_reply(AUTHOR, thread))


# ---------------------------------------------------------------- access_* against the database
def test_access_category_hides_members_only_from_visitors(session: Session) -> None:
    make_category(session, "members", visibility=Visibility.members)
    with pytest.raises(NotFound):
        p.access_category(session, None, "members")
    with pytest.raises(NotFound):
        p.access_category(session, None, "no-such-category")
    assert p.access_category(session, make_user(session), "members").slug == "members"


def test_access_thread_for_write(session: Session) -> None:
    author, moderator = make_user(session), make_user(session, role=Role.moderator)
    thread = make_thread(session, category=make_category(session), author=author).thread
    thread.locked = True
    session.flush()
    with pytest.raises(NotFound):  # a visitor may read, not write: the thread "does not exist" for writing
        p.access_thread(session, None, thread.id, for_write=True)
    with pytest.raises(PermissionDenied):
        p.access_thread(session, author, thread.id, for_write=True)
    assert p.access_thread(session, moderator, thread.id, for_write=True).id == thread.id
    assert p.access_thread(session, None, thread.id).id == thread.id


def test_access_post_for_edit_and_revisions(session: Session) -> None:
    author, other = make_user(session), make_user(session)
    post = make_thread(session, category=make_category(session), author=author).post
    assert p.access_post(session, author, post.id, for_edit=True).id == post.id
    with pytest.raises(NotFound):
        p.access_post(session, other, post.id, for_edit=True)
    with pytest.raises(NotFound):
        p.access_revisions(session, other, post.id)
    assert p.access_revisions(session, author, post.id).id == post.id
    post.status = PostStatus.hidden
    session.flush()
    with pytest.raises(NotFound):  # hidden: others no longer see it; its author (told why) and moderators do
        p.access_post(session, other, post.id)
    assert p.access_post(session, author, post.id).id == post.id
    with pytest.raises(NotFound):  # but may no longer edit it
        p.access_post(session, author, post.id, for_edit=True)
    assert p.access_post(session, make_user(session, role=Role.moderator), post.id).id == post.id
