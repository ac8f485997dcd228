"""What members can find, and above all what they never find, on every backend."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.forum.models import Category, Post, PostStatus, Thread, Visibility
from app.plain_text import BIDI_OVERRIDES
from app.search import outbox
from app.search.backend import SearchBackend
from app.search.worker import drain
from tests.factories import api_login, make_category, make_reply, make_thread, make_user


def _wait(backend: SearchBackend) -> None:
    if hasattr(backend, "wait"):
        backend.wait()


def _search(client: TestClient, backend: SearchBackend, q: str, **params: str) -> dict:
    _wait(backend)
    response = client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ids(result: dict) -> set[int]:
    return {item["post_id"] for item in result["items"]}


def test_finds_across_accents_case_and_plurals(client: TestClient, session: Session, backend: SearchBackend) -> None:
    author = make_user(session)
    category = make_category(session, "tapering-now")
    fr = make_thread(session, category=category, author=author, title="Acouphènes pendant le sevrage",
                     body="Depuis la baisse du Lormétazépam j'ai des acouphènes la nuit.")
    nl = make_thread(session, category=category, author=author, title="Slapeloosheid in week 3",
                     body="Tijdens de afbouw heb ik veel klachten en slapeloosheid.", lang="nl")
    session.commit()
    assert fr.post.id in _ids(_search(client, backend, "acouphene lormetazepam"))
    assert fr.post.id in _ids(_search(client, backend, "ACOUPHÈNES"))
    assert nl.post.id in _ids(_search(client, backend, "slapeloosheid afbouw"))
    assert nl.post.id in _ids(_search(client, backend, "klacht"))  # singular finds the plural
    assert nl.post.id in _ids(_search(client, backend, "slapelo"))  # an unfinished word
    result = _search(client, backend, "acouphenes")
    item = result["items"][0]
    assert set(item) >= {"thread_id", "post_id", "title", "snippet_html", "lang", "category"}
    assert "<mark>" in item["snippet_html"] and item["lang"] == "fr" and item["category"] == "tapering-now"


def test_snippets_are_escaped(client: TestClient, session: Session, backend: SearchBackend) -> None:
    author = make_user(session)
    make_thread(session, category=make_category(session), author=author, title="Code",
                body="Le mot sevrage et un piège <script>alert(1)</script> ici.")
    session.commit()
    snippet = _search(client, backend, "sevrage")["items"][0]["snippet_html"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_snippets_of_posts_saved_with_text_direction_controls_cannot_reorder_the_page(
        client: TestClient, session: Session, backend: SearchBackend) -> None:
    posted = make_thread(session, category=make_category(session), author=make_user(session), title="Pièce jointe",
                         body="Un texte ordinaire.")
    session.commit()
    posted.post.body_md = "Le sevrage et un fichier normal \u202egnp.exe\u202c puis \u2067la suite"  # saved before
    session.commit()
    snippet = _search(client, backend, "sevrage")["items"][0]["snippet_html"]
    assert "gnp.exe" in snippet and not any(ch in snippet for ch in BIDI_OVERRIDES)
    page = client.get("/fr/search", params={"q": "sevrage"}).text
    assert '<p class="snippet" lang="fr" dir="auto"><bdi>' in page


def test_hidden_held_and_deleted_posts_never_appear(client: TestClient, session: Session,
                                                     backend: SearchBackend) -> None:
    author = make_user(session, "Auteure")
    category = make_category(session)
    kept = make_thread(session, category=category, author=author, title="Visible", body="tremblements visibles")
    hidden = make_reply(session, posted=kept, author=author, body="tremblements cachés")
    deleted = make_reply(session, posted=kept, author=author, body="tremblements supprimés")
    held = make_reply(session, posted=kept, author=author, body="tremblements, je vends du xanax, écris-moi")
    assert held.post.status == PostStatus.held
    session.commit()
    assert _ids(_search(client, backend, "tremblements")) == {kept.post.id, hidden.post.id, deleted.post.id}
    # Hidden a moment ago with no outbox entry yet: the live-table filter already drops it.
    session.execute(update(Post).where(Post.id == hidden.post.id).values(status=PostStatus.hidden))
    session.commit()
    assert _ids(_search(client, backend, "tremblements")) == {kept.post.id, deleted.post.id}
    # Deleted by its author through the API: the outbox removes it from the index too.
    token = api_login(client, "Auteure")
    assert client.delete(f"/api/v1/posts/{deleted.post.id}", headers={"X-CSRF-Token": token}).status_code == 204
    assert _ids(_search(client, backend, "tremblements")) == {kept.post.id}
    _wait(backend)
    assert deleted.post.id not in backend.indexed_ids(session)


def test_index_catches_up_after_hiding(client: TestClient, session: Session, backend: SearchBackend) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, body="vertiges matinaux")
    session.commit()
    db = client.app.state.db  # type: ignore[attr-defined]
    db.on_outbox = None  # as if the engine were down when the post was hidden
    session.execute(update(Post).where(Post.id == posted.post.id).values(status=PostStatus.hidden))
    outbox.enqueue(session, "post", posted.post.id)
    session.commit()
    assert posted.post.id in backend.indexed_ids(session)
    session.commit()  # end the test's own transaction before the worker writes
    drain(db, backend)
    _wait(backend)
    assert posted.post.id not in backend.indexed_ids(session)


def test_members_only_categories_hidden_from_visitors(client: TestClient, session: Session,
                                                      backend: SearchBackend) -> None:
    make_user(session, "Membre")
    author = make_user(session)
    public = make_thread(session, category=make_category(session), author=author, body="palpitations le soir")
    private = make_thread(session, category=make_category(session, visibility=Visibility.members), author=author,
                          body="palpitations entre membres")
    session.commit()
    assert _ids(_search(client, backend, "palpitations")) == {public.post.id}
    api_login(client, "Membre")
    assert _ids(_search(client, backend, "palpitations")) == {public.post.id, private.post.id}


def test_filters_language_and_category(client: TestClient, session: Session, backend: SearchBackend) -> None:
    author = make_user(session)
    first = make_category(session, "tapering-now")
    second = make_category(session, "after-stopping")
    fr = make_thread(session, category=first, author=author, body="diazepam et sommeil")
    nl = make_thread(session, category=second, author=author, body="diazepam en slaap", lang="nl")
    session.commit()
    assert _ids(_search(client, backend, "diazepam", lang="nl")) == {nl.post.id}
    assert _ids(_search(client, backend, "diazepam", category="tapering-now")) == {fr.post.id}


def test_diaries_are_never_indexed(client: TestClient, session: Session, backend: SearchBackend) -> None:
    make_user(session, "Diariste")
    session.commit()
    token = api_login(client, "Diariste")
    response = client.post("/api/v1/diary/entries", json={
        "date": "2026-11-01", "medications": [{"drug": "lormetazepam", "dose_mg": 1}],
        "symptoms": {}, "note": "journal intime zorblax"}, headers={"X-CSRF-Token": token})
    assert response.status_code in (200, 201), response.text
    assert _search(client, backend, "zorblax")["items"] == []


def test_pagination_and_html_page(client: TestClient, session: Session, backend: SearchBackend, app) -> None:  # type: ignore[no-untyped-def]
    app.state.settings.search.page_size = 3
    author = make_user(session, role=Role.member)
    category = make_category(session)
    for index in range(7):
        make_thread(session, category=category, author=author, title=f"Fil {index}", body=f"anxiété numéro {index}")
    session.commit()
    first = _search(client, backend, "anxiete")
    assert first["pages"] == 3 and len(first["items"]) == 3
    last = _search(client, backend, "anxiete", page="3")
    assert len(last["items"]) == 1
    page = client.get("/nl/search", params={"q": "anxiété"})
    assert page.status_code == 200 and "<mark>" in page.text and 'rel="next"' in page.text
    assert client.get("/fr/search", params={"q": "", "date_from": "pas une date"}).status_code == 200


def test_typos(client: TestClient, session: Session, backend: SearchBackend) -> None:
    author = make_user(session)
    posted = make_thread(session, category=make_category(session), author=author, title="Nuits difficiles",
                         body="Les acouphènes reviennent depuis la baisse.")
    hidden = make_thread(session, category=make_category(session), author=author, body="zygomatique secret")
    session.execute(update(Post).where(Post.id == hidden.post.id).values(status=PostStatus.hidden))
    session.commit()
    result = _search(client, backend, "acouphnes")
    if result["items"]:  # Meilisearch forgives the typo itself
        assert _ids(result) == {posted.post.id}
    else:  # the database backends offer a correction that finds it
        assert result["suggestions"] == ["acouphenes"]
        page = client.get("/fr/search", params={"q": "acouphnes"})
        assert 'class="suggestion"' in page.text and "q=acouphenes" in page.text
    # Never a suggestion that only a hidden post would answer: it would tell the word is there.
    assert _search(client, backend, "zygomatiqe")["items"] == []
    assert _search(client, backend, "zygomatiqe").get("suggestions", []) == []


def test_renamed_moved_and_restricted_follow_the_outbox(client: TestClient, session: Session,
                                                        backend: SearchBackend) -> None:
    author = make_user(session)
    first, second = make_category(session, "tapering-now"), make_category(session, "after-stopping")
    posted = make_thread(session, category=first, author=author, title="Ancien titre", body="crampes nocturnes")
    other = make_thread(session, category=first, author=author, title="Autre fil", body="rien à voir")
    session.commit()
    thread = session.get(Thread, posted.thread.id)
    assert thread is not None
    thread.title = "Crampes et magnésium"  # renamed: found by its new title, shown with it
    session.commit()
    items = _search(client, backend, "magnesium")["items"]
    assert [i["title"] for i in items] == ["Crampes et magnésium"]
    post = session.get(Post, posted.post.id)
    assert post is not None
    post.thread_id = other.thread.id  # moved to another thread
    session.commit()
    assert [i["thread_id"] for i in _search(client, backend, "crampes")["items"]] == [other.thread.id]
    thread = session.get(Thread, other.thread.id)
    assert thread is not None
    thread.category_id = second.id  # moved to another category
    session.commit()
    assert _search(client, backend, "crampes", category="after-stopping")["items"]
    category = session.get(Category, second.id)
    assert category is not None
    category.visibility = Visibility.members  # now members-only: gone for visitors
    session.commit()
    assert _search(client, backend, "crampes")["items"] == []
