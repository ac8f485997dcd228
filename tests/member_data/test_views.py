"""A member's own data: the download holds everything; deletion keeps or removes the posts, as chosen."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import AuthSession, RecoveryCode, User
from app.diary.models import Entry, ShareLink
from app.diary.sharing import create_share_link
from app.forum.models import Post, PostRevision, PostStatus, Reaction, Thread
from app.forum.permissions import access_post
from app.forum.service import edit_post, toggle_reaction
from app.forum.service import reply as reply_to_thread
from app.member_data.models import DataExport, ExportStatus
from app.notifications.models import Notification, ThreadWatch
from app.review.models import Finding
from app.search.backend import SearchQuery
from app.search.worker import drain
from tests.diary.helpers import days_ago, form_token, log
from tests.factories import PASSWORD, html_login, make_category, make_reply, make_thread, make_user

SOURCING = "Je vends mes comprimés de Xanax, envoie-moi un message privé."


def _arrange(session: Session) -> dict[str, int]:
    """A leaving member with a thread, an edited reply in another's thread, a held post, a diary, a reaction."""
    leaving, staying = make_user(session, "Partante"), make_user(session, "Restante")
    category = make_category(session, "tapering-now")
    own = make_thread(session, category=category, author=leaving, title="Mon fil", body="Mes acouphènes du soir")
    others = make_thread(session, category=category, author=staying, title="Son fil", body="Bonjour tout le monde")
    reply = make_reply(session, posted=others, author=leaving, body="Premier jet de réponse")
    edit_post(session, post=access_post(session, leaving, reply.post.id), editor=leaving, body="Acouphènes aussi")
    held = make_reply(session, posted=others, author=leaving, body=SOURCING)
    toggle_reaction(session, post=others.post, user=leaving, kind="courage")
    log(session, leaving, days_ago(1))
    create_share_link(session, user=leaving, label="Docteur")
    session.commit()
    return {"leaving": leaving.id, "own": own.post.id, "own_thread": own.thread.id, "reply": reply.post.id,
                              "held": held.post.id, "others_thread": others.thread.id}


def _settle_search(app: FastAPI, session: Session) -> None:
    """Apply what waits in the outbox now (the app's start-up catch-up thread may hold the in-process indexer)."""
    session.commit()  # the test's own transaction would hold SQLite's write lock
    drain(app.state.db, app.state.search)


def _delete(client: TestClient, **form: str) -> object:
    """Ask for the deletion, then let the grace period pass and housekeeping make it final."""
    token = form_token(client, "/fr/account/data")
    response = client.post("/fr/account/delete", data={"csrf_token": token, **form}, follow_redirects=False)
    if response.status_code != 303:
        return response
    # Post/Redirect/Get: the confirmation is a page of its own, and the member is logged out on the way there.
    assert "tk_session=" in response.headers["set-cookie"]
    page = client.get(response.headers["location"])
    pass_grace_period(client.app)  # type: ignore[arg-type]
    return page


def pass_grace_period(app: FastAPI) -> None:
    import datetime as dt

    from sqlalchemy import update

    from app.member_data.service import erase_due

    with app.state.db.session() as s:
        past = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        s.execute(update(User).where(User.erase_at.is_not(None)).values(erase_at=past))
        s.commit()
    erase_due(app.state.db)


def test_delete_my_account_and_remove_my_posts(app: FastAPI, client: TestClient, session: Session) -> None:
    ids = _arrange(session)
    _settle_search(app, session)
    assert {ids["own"], ids["reply"]} <= app.state.search.indexed_ids(session)
    html_login(client, "Partante")
    response = _delete(client, delete_password="a sturdy passphrase 42", posts="remove", confirm="yes")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert '<p class="link-row"><a href="/fr/">' in response.text  # type: ignore[attr-defined]  # a 44 px target
    session.expire_all()
    assert session.get(User, ids["leaving"]) is None
    # Notifications too: the other member's notification about the erased reply, and the member's watches.
    for model in (AuthSession, RecoveryCode, Entry, ShareLink, Reaction, Notification):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert session.scalar(select(func.count(ThreadWatch.id)).where(ThreadWatch.user_id == ids["leaving"])) == 0
    erased = list(session.scalars(select(Post).where(Post.id.in_([ids["own"], ids["reply"], ids["held"]]))))
    assert [(p.status, p.body_md, p.body_html, p.author_id) for p in erased] == [(PostStatus.deleted, "", "", None)] * 3
    assert session.scalar(select(func.count(PostRevision.id))) == 0  # earlier versions too
    assert session.scalar(select(func.count(Finding.id)).where(Finding.post_id == ids["held"])) == 0
    _settle_search(app, session)
    own_thread, others_thread = session.get(Thread, ids["own_thread"]), session.get(Thread, ids["others_thread"])
    assert own_thread is not None and own_thread.status == PostStatus.deleted
    assert others_thread is not None and others_thread.post_count == 1  # the other member's first post
    assert not {ids["own"], ids["reply"]} & app.state.search.indexed_ids(session)  # gone from search
    assert app.state.search.search(session, SearchQuery(text="acouphenes")).total == 0
    page = client.get(f"/fr/t/{ids['others_thread']}")
    assert "Acouphènes aussi" not in page.text and "supprimé par la personne" in page.text
    assert client.get("/api/v1/me").status_code == 401  # logged out


def test_delete_my_account_and_keep_my_posts(client: TestClient, session: Session) -> None:
    ids = _arrange(session)
    # Notifications the leaving member received: a reply in her thread, a mention.
    staying = session.scalar(select(User).where(User.pseudonym == "Restante"))
    own = session.scalar(select(Thread).options(joinedload(Thread.category)).where(Thread.id == ids["own_thread"]))
    assert staying is not None and own is not None
    reply_to_thread(session, thread=own, author=staying, body="Courage @Partante !")
    session.commit()
    received = select(func.count(Notification.id)).where(Notification.user_id == ids["leaving"])
    assert session.scalar(received), "the arrangement gives the leaving member notifications"
    html_login(client, "Partante")
    page = client.get("/fr/account/data").text
    assert "notifications" in page[page.index('id="delete-heading"'):]  # the page says they are erased
    response = _delete(client, delete_password="a sturdy passphrase 42", posts="keep", confirm="yes")
    assert "notifications" in response.text  # type: ignore[attr-defined]
    session.expire_all()
    assert session.scalar(received) == 0
    assert response.status_code == 200  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(User, ids["leaving"]) is None
    reply = session.get(Post, ids["reply"])
    assert reply is not None and reply.body_md == "Acouphènes aussi" and reply.author_id is None
    assert session.scalar(select(func.count(Entry.id))) == 0  # the diary goes in every case
    page = client.get(f"/fr/t/{ids['others_thread']}")
    assert "Acouphènes aussi" in page.text and "ancien membre" in page.text
    told = session.scalar(select(Notification).where(Notification.post_id == ids["reply"]))
    assert told is not None and told.actor_id is None  # the kept reply still notifies, with no name


def test_deletion_needs_the_password_and_the_tick(client: TestClient, session: Session) -> None:
    ids = _arrange(session)
    html_login(client, "Partante")
    unticked = _delete(client, delete_password="a sturdy passphrase 42", posts="remove")
    assert unticked.status_code == 422 and 'id="confirm-error"' in unticked.text  # type: ignore[attr-defined]
    assert 'value="remove" checked' in unticked.text  # type: ignore[attr-defined]  # the choice is kept
    wrong = _delete(client, delete_password="not my password", posts="remove", confirm="yes")
    assert wrong.status_code == 422 and 'id="delete_password-error"' in wrong.text  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(User, ids["leaving"]) is not None
    session.commit()
    assert session.scalar(select(func.count(Post.id)).where(Post.status == PostStatus.deleted)) == 0


def test_the_deletion_password_is_limited_like_the_log_in(client: TestClient, session: Session) -> None:
    """Whoever holds a logged-in browser gets no more password guesses at the erasure form than at the log-in."""
    ids = _arrange(session)
    html_login(client, "Partante")
    for _ in range(5):  # settings.throttle.per_pseudonym failures are free, as at the log-in form
        wrong = _delete(client, delete_password="not my password", posts="remove", confirm="yes")
        assert wrong.status_code == 422  # type: ignore[attr-defined]
    limited = _delete(client, delete_password="a sturdy passphrase 42", posts="remove", confirm="yes")
    assert limited.status_code == 429 and "Retry-After" in limited.headers  # type: ignore[attr-defined]
    assert "Trop de tentatives" in limited.text  # type: ignore[attr-defined]  # in place, in the page's language
    assert 'id="delete_password-error"' in limited.text  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(User, ids["leaving"]).erase_at is None  # type: ignore[union-attr]
    # The same budget as the log-in's: the log-in form from this client waits too.
    client.cookies.clear()
    token = form_token(client, "/fr/account/login")
    login = client.post("/fr/account/login", data={"csrf_token": token, "pseudonym": "Partante",
                                                   "password": "a sturdy passphrase 42"}, follow_redirects=False)
    assert login.status_code == 429


def test_api_deletion_password_is_limited_like_the_log_in(client: TestClient, session: Session) -> None:
    from tests.factories import api_login

    _arrange(session)
    token = api_login(client, "Partante")
    for _ in range(5):
        wrong = client.request("DELETE", "/api/v1/me", json={"password": "not mine at all", "keep_posts": True},
                               headers={"X-CSRF-Token": token})
        assert wrong.status_code == 422
    limited = client.request("DELETE", "/api/v1/me", json={"password": "a sturdy passphrase 42", "keep_posts": True},
                             headers={"X-CSRF-Token": token})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["field"] == "delete_password"


def test_the_download_holds_every_domains_part(client: TestClient, session: Session) -> None:
    ids = _arrange(session)
    html_login(client, "Partante")
    response = client.get("/fr/account/data/export.json")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="trefle-klaver-Partante-')
    data = json.loads(response.text)
    assert data["account"]["pseudonym"] == "Partante"
    assert {p["body"] for p in data["forum"]["posts"]} == {"Mes acouphènes du soir", "Acouphènes aussi", SOURCING}
    assert [r["kind"] for r in data["forum"]["reactions"]] == ["courage"]
    assert len(data["diary"]["entries"]) == 1 and data["diary"]["share_links"][0]["label"] == "Docteur"
    watched = {(w["thread_id"], w["reason"]) for w in data["notifications"]["watched_threads"]}
    assert watched == {(ids["own_thread"], "started"), (ids["others_thread"], "replied")}
    assert data["notifications"]["preferences"]["reaction"] is False


def test_a_pseudonym_outside_latin_1_still_downloads(client: TestClient, session: Session) -> None:
    make_user(session, "Ольга")
    session.commit()
    html_login(client, "Ольга")
    response = client.get("/fr/account/data/export.json")
    assert response.status_code == 200 and json.loads(response.text)["account"]["pseudonym"] == "Ольга"


def test_downloads_for_a_pseudonym_outside_latin_1(client: TestClient, session: Session) -> None:
    """Issue 9, item 4: the pseudonym in Content-Disposition once made the download a 500."""
    from urllib.parse import unquote

    for pseudonym in ("Łukasz_x", "山田太郎"):
        make_user(session, pseudonym)
        session.commit()
        html_login(client, pseudonym)
        for path in ("/fr/account/data/export.json", "/fr/diary/export.csv", "/fr/diary/export.json"):
            response = client.get(path)
            assert response.status_code == 200, path
            disposition = response.headers["content-disposition"]
            disposition.encode("latin-1")  # a header must be Latin-1
            assert 'attachment; filename="' in disposition and "filename*=UTF-8''" in disposition
            if "account" in path:
                assert pseudonym in unquote(disposition.split("filename*=UTF-8''")[1])
        client.cookies.clear()


def test_api_export_is_202_then_the_zip(client: TestClient, session: Session, app: FastAPI) -> None:
    """Contract: POST /api/v1/me/export -> 202, then GET /api/v1/me/export -> the zip when ready."""
    import io
    import zipfile

    from app.member_data.service import build_pending
    from tests.factories import api_login

    _arrange(session)
    token = api_login(client, "Partante")
    assert client.get("/api/v1/me/export").status_code == 404  # nothing asked yet
    asked = client.post("/api/v1/me/export", headers={"X-CSRF-Token": token})
    assert asked.status_code == 202 and asked.headers["location"] == "/api/v1/me/export"
    build_pending(app.state.db)  # what the background thread does (idempotent if it already ran)
    ready = client.get("/api/v1/me/export")
    assert ready.status_code == 200 and ready.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(ready.content))
    names = set(archive.namelist())
    assert {"profile.json", "posts.md", "posts.html", "diary.csv", "diary.json", "moderation.json",
            "sessions.json"} <= names
    assert "Acouphènes aussi" in archive.read("posts.md").decode()
    assert "<script" not in archive.read("posts.html").decode()
    assert json.loads(archive.read("profile.json"))["pseudonym"] == "Partante"
    assert json.loads(archive.read("sessions.json"))  # this very session


def test_api_delete_me_waits_seven_days_and_logging_in_cancels(client: TestClient, session: Session,
                                                              app: FastAPI) -> None:
    """Contract: DELETE /api/v1/me {keep_posts, password} -> 202 with the date the erasure becomes final."""
    import datetime as dt

    from tests.factories import api_login

    ids = _arrange(session)
    token = api_login(client, "Partante")
    wrong = client.request("DELETE", "/api/v1/me", json={"password": "not mine at all", "keep_posts": True},
                           headers={"X-CSRF-Token": token})
    assert wrong.status_code == 422
    response = client.request("DELETE", "/api/v1/me", json={"password": "a sturdy passphrase 42", "keep_posts": False},
                              headers={"X-CSRF-Token": token})
    assert response.status_code == 202
    final = dt.datetime.fromisoformat(response.json()["erase_at"])
    assert dt.timedelta(days=6, hours=23) < final - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    assert client.get("/api/v1/me").status_code == 401  # logged out everywhere
    # Logging in within the grace period cancels it: nothing is erased.
    api_login(client, "Partante")
    pass_grace_period(app)
    session.expire_all()
    assert session.get(User, ids["leaving"]) is not None
    session.commit()
    # Asked again and left to run out: the account is erased, posts' text too, the index follows.
    token = api_login(client, "Partante")
    client.request("DELETE", "/api/v1/me", json={"password": "a sturdy passphrase 42", "keep_posts": False},
                   headers={"X-CSRF-Token": token})
    pass_grace_period(app)
    session.expire_all()
    assert session.get(User, ids["leaving"]) is None
    assert session.get(Post, ids["own"]).body_md == ""  # type: ignore[union-attr]
    session.commit()  # the test's own transaction would hold SQLite's write lock
    drain(app.state.db, app.state.search)
    assert ids["own"] not in app.state.search.indexed_ids(session)


def test_the_deletion_page_shows_a_logged_out_header(client: TestClient, session: Session) -> None:
    # "You are logged out everywhere" under a header that still showed the bell and "My account" (audit2).
    _arrange(session)
    html_login(client, "Partante")
    assert 'class="account-link"' in client.get("/fr/account/data").text
    response = _delete(client, delete_password="a sturdy passphrase 42", posts="keep", confirm="yes")
    page = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200 and "Toutes vos sessions sont fermées" in page  # type: ignore[attr-defined]
    header = page[:page.index('id="main"')]
    assert 'class="account-link"' not in header and "bell" not in header and "Partante" not in header


# Tester's finding F6: README.txt, posts.md and the diary CSV of a French or Dutch member's zip were in English.
ZIP_IN_LANGUAGE = {
    "fr": {"README.txt": ("Trèfle · Klaver\u202f: toutes les données que ce forum conserve à votre sujet",
                          "de 0 (aucun) à 3 (sévère)"),
           "posts.md": ("En attente de l'équipe de modération", "Publié"),
           "posts.html": ('<html lang="fr">', "<title>Vos messages</title>"),
           "diary.csv": ("\ufeffDate,Médicament,Équivalent diazépam (mg),", "Anxiété (de 0 à 3)")},
    "nl": {"README.txt": ("Trèfle · Klaver: alle gegevens die dit forum over je bewaart",
                          "van 0 (geen) tot 3 (ernstig)"),
           "posts.md": ("Wacht op een moderator", "Gepubliceerd"),
           "posts.html": ('<html lang="nl">', "<title>Je berichten</title>"),
           "diary.csv": ("\ufeffDatum,Medicatie,Diazepam-equivalent (mg),", "Angst (0 tot 3)")},
}


def test_the_zip_is_in_the_member_language_and_its_json_keeps_its_keys(session: Session) -> None:
    import io
    import zipfile

    from app.member_data.service import build_archive

    ids = _arrange(session)
    member = session.get(User, ids["leaving"])
    assert member is not None
    for locale, expected in ZIP_IN_LANGUAGE.items():
        member.locale = locale
        archive = zipfile.ZipFile(io.BytesIO(build_archive(session, user=member)))
        texts = {name: archive.read(name).decode("utf-8") for name in expected}
        for name, phrases in expected.items():
            for phrase in phrases:
                assert phrase in texts[name], f"{locale} {name}: {phrase!r} not in {texts[name][:400]!r}"
        assert "all the data" not in texts["README.txt"] and "Trefle Klaver" not in texts["README.txt"]
        assert "· held" not in texts["posts.md"] and "· published" not in texts["posts.md"]
        assert "diazepam_mg" not in texts["diary.csv"] and "insomnia" not in texts["diary.csv"]
        # The JSON files are read by programs: their keys and values stay as they are, in every language.
        posts = json.loads(archive.read("posts.json"))["posts"]
        assert {p["status"] for p in posts} == {"published", "held"}
        entry = json.loads(archive.read("diary.json"))["entries"][0]
        assert {"date", "diazepam_mg", "symptoms", "sleep_hours", "mood", "note"} <= set(entry)
        assert "notifications" in json.loads(archive.read("notifications.json"))


def test_the_deletion_form_reports_both_problems_at_once_with_a_summary(client: TestClient, session: Session) -> None:
    _arrange(session)
    html_login(client, "Partante")
    token = form_token(client, "/nl/account/data")
    both = client.post("/nl/account/delete", data={"csrf_token": token, "delete_password": "", "posts": "remove"})
    assert both.status_code == 422
    summary = re.search(r'<div class="notice error-summary".*?</div>', both.text, re.S)
    assert summary is not None
    assert re.findall(r'<a href="#([a-z_]+)">', summary.group(0)) == ["delete_password", "confirm"]
    assert "Vul je huidige wachtwoord in." in both.text
    assert 'id="delete_password-error"' in both.text and 'id="confirm-error"' in both.text
    assert re.search(r'<input type="checkbox" name="confirm" id="confirm"[^>]*aria-invalid="true"', both.text)
    assert 'value="remove" checked' in both.text
    # A right password with the box left unticked: the password stays in the field, so ticking is enough.
    unticked = client.post("/nl/account/delete", data={"csrf_token": token, "delete_password": PASSWORD,
                                                       "posts": "keep"})
    assert unticked.status_code == 422 and f'value="{PASSWORD}"' in unticked.text
    assert 'id="delete_password-error"' not in unticked.text
    wrong = client.post("/nl/account/delete", data={"csrf_token": token, "delete_password": "niet het mijne",
                                                    "posts": "keep", "confirm": "yes"})
    assert wrong.status_code == 422 and "niet het mijne" not in wrong.text
    assert re.search(r'name="confirm" id="confirm" value="yes" checked', wrong.text)  # the tick is kept


def test_the_zip_has_a_status_page_that_reloads_itself_only_while_it_is_prepared(client: TestClient,
                                                                                session: Session) -> None:
    member = make_user(session, "Patiente")
    session.commit()
    html_login(client, "Patiente")
    nothing = client.get("/fr/account/data/export")
    assert nothing.status_code == 200 and 'http-equiv="refresh"' not in nothing.text
    assert "Préparer un zip" in nothing.text
    token = form_token(client, "/fr/account/data")
    asked = client.post("/fr/account/data/export", data={"csrf_token": token}, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/fr/account/data/export"
    # The build the request started runs in a thread of its own: let it finish first, or on a slow
    # machine it writes "ready, kept 7 days" over the states this test sets below.
    for thread in threading.enumerate():
        if thread.name == "member-data-export":
            thread.join(timeout=60)
    session.expire_all()
    export = session.get(DataExport, member.id)
    assert export is not None
    export.status, export.archive, export.expires_at = ExportStatus.pending, None, None  # as if still being built
    session.commit()
    pending = client.get("/fr/account/data/export")
    # No script: the page reloads itself. With one, it is not reloaded (that was every 5 s, even with JavaScript):
    # the script fetches the state quietly and puts it in the live region in place.
    assert pending.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in pending.text
    assert pending.text.count('http-equiv="refresh"') == 1
    assert '<div id="export-state" role="status" data-poll-seconds="5">' in pending.text
    assert 'src="/static/js/export_status.js' in pending.text and "Vérifier à nouveau" in pending.text
    page = client.get("/fr/account/data").text
    assert 'http-equiv="refresh"' not in page  # never on the page with the deletion form
    assert 'href="/fr/account/data/export"' in page
    export.status, export.archive = ExportStatus.ready, b"PK"
    export.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    session.commit()
    ready = client.get("/nl/account/data/export")
    assert 'http-equiv="refresh"' not in ready.text and 'href="/nl/account/data/export.zip"' in ready.text
    assert '<div id="export-state" role="status">' in ready.text and "export_status.js" not in ready.text
    export.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.commit()
    expired = client.get("/fr/account/data").text
    assert 'href="/fr/account/data/export.zip"' not in expired  # an expired zip is not offered
