"""End to end: consent decides what is exported; projects decide who exports; everything is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import housekeeping
from app.db import Database, utcnow
from app.research import projects
from app.research import texts as research_texts
from app.research.models import Export, ExportStatus
from app.review.models import AuditEntry
from app.settings import Settings
from tests.factories import api_login, csrf_from, make_category, make_reply, make_thread, make_user
from tests.research.helpers import approved_project, jsonl, put_consent, read_zip

CONSENTING = "Je diminue le Loramet 2 mg depuis trois semaines, mon médecin le Dr Janssens est d'accord."
OTHER = "Moi je ne veux pas être dans les études, mais courage à toi."


def _forum(session: Session):  # type: ignore[no-untyped-def]
    alice, bob, researcher = make_user(session, "Alice_fr"), make_user(session, "Bob_nl"), make_user(session)
    category = make_category(session, "sevrage")
    thread = make_thread(session, category=category, author=alice, title="Mon sevrage", body=CONSENTING)
    make_reply(session, posted=thread, author=bob, body=OTHER)
    make_reply(session, posted=thread, author=alice,
               body=f"> **Bob_nl**:\n> {OTHER}\n\nMerci Bob_nl, à bientôt.")
    project = approved_project(session, lead=researcher)
    session.commit()
    return alice, bob, researcher, project


def _export(client: TestClient, researcher: str, project_id: int, **options: object) -> dict[str, bytes]:
    token = api_login(client, researcher)
    created = client.post(f"/api/v1/research/projects/{project_id}/exports",
                          json={"format": "jsonl", **options}, headers={"X-CSRF-Token": token})
    assert created.status_code == 202, created.text
    status = client.get(f"/api/v1/research/exports/{created.json()['id']}").json()
    assert status["status"] == "ready", status
    download = client.get(status["download_url"])
    assert download.status_code == 200
    client.cookies.clear()
    return read_zip(download.content)


def test_a_member_who_asked_for_erasure_is_in_no_new_export(client: TestClient, session: Session) -> None:
    """From the erasure request on, posts kept or not: their consent is erased with the account a week later."""
    alice, _bob, researcher, project = _forum(session)
    put_consent(client, alice.pseudonym, posts=True)
    assert "Loramet" in "".join(p["text"] for p in jsonl(
        _export(client, researcher.pseudonym, project.id)["data/posts.jsonl"]))
    token = api_login(client, alice.pseudonym)
    asked = client.request("DELETE", "/api/v1/me", json={"password": "a sturdy passphrase 42", "keep_posts": True},
                           headers={"X-CSRF-Token": token})
    assert asked.status_code == 202
    client.cookies.clear()
    files = _export(client, researcher.pseudonym, project.id)
    assert [p["text"] for p in jsonl(files["data/posts.jsonl"])] == ["[NO_CONSENT]"] * 3
    assert json.loads(files["manifest.json"])["counts"].get("consented_posts", 0) == 0


def test_only_consenting_members_are_exported_and_withdrawal_counts(client: TestClient, session: Session) -> None:
    alice, bob, researcher, project = _forum(session)
    put_consent(client, alice.pseudonym, posts=True)

    files = _export(client, researcher.pseudonym, project.id)
    posts = jsonl(files["data/posts.jsonl"])
    texts = [p["text"] for p in posts]
    assert len(posts) == 3
    assert "Loramet 2 mg" in texts[0] and "Dr [PERSON]" in texts[0] and "Janssens" not in texts[0]
    assert texts[1] == "[NO_CONSENT]" and posts[1]["author"] is None
    assert OTHER not in "".join(texts) and "[QUOTE_REMOVED]" in texts[2]
    assert "Bob_nl" not in "".join(texts) and "[MEMBER]" in texts[2]
    assert posts[0]["author"] == posts[2]["author"] and posts[0]["author"].startswith("m-")
    assert all(str(p["date"]).count("-") == 1 for p in posts)  # coarsened to the month
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["path"]]).hexdigest() == entry["sha256"]
    assert manifest["counts"]["consented_posts"] == 2 and manifest["consent_versions"]["posts"] == {
        str(research_texts.current("consent").version): 1}
    assert "Quotes re-identify" in files["README.md"].decode()

    put_consent(client, alice.pseudonym, posts=False)
    again = jsonl(_export(client, researcher.pseudonym, project.id)["data/posts.jsonl"])
    assert [p["text"] for p in again] == ["[NO_CONSENT]"] * 3
    # Pseudonyms are per export: nothing links the two files.
    assert posts[0]["id"] not in {p["id"] for p in again}


def test_outsiders_cannot_tell_which_projects_and_exports_exist(client: TestClient, session: Session) -> None:
    """Issue 9: 403 for existing ids and 404 for the rest let an outsider enumerate projects and exports."""
    alice, _bob, researcher, project = _forum(session)
    outsider = make_user(session, "OtherLab")
    approved_project(session, lead=outsider, title="Another study")
    session.commit()
    put_consent(client, alice.pseudonym, posts=True)
    token = api_login(client, researcher.pseudonym)
    export_id = client.post(f"/api/v1/research/projects/{project.id}/exports", json={"format": "csv"},
                            headers={"X-CSRF-Token": token}).json()["id"]
    client.cookies.clear()
    token = api_login(client, outsider.pseudonym)
    missing_project, missing_export = project.id + 1000, export_id + 1000
    pairs = [
        ("GET", "/api/v1/research/exports/{}/download", export_id, missing_export),
        ("GET", "/api/v1/research/exports/{}", export_id, missing_export),
        ("GET", "/api/v1/research/projects/{}", project.id, missing_project),
        ("GET", "/api/v1/research/projects/{}/exports", project.id, missing_project),
        ("POST", "/api/v1/research/projects/{}/exports", project.id, missing_project),
        ("GET", "/fr/research/projects/{}", project.id, missing_project),
        ("GET", "/fr/research/exports/{}/download", export_id, missing_export),
    ]
    for method, path, existing, missing in pairs:
        kwargs = {"json": {"format": "jsonl"}, "headers": {"X-CSRF-Token": token}} if method == "POST" else {}
        seen = client.request(method, path.format(existing), **kwargs)  # type: ignore[arg-type]
        unseen = client.request(method, path.format(missing), **kwargs)  # type: ignore[arg-type]
        assert seen.status_code == unseen.status_code == 404, path
        if path.startswith("/api/"):
            assert seen.json() == unseen.json(), path
    for path in ("/fr/research/projects/{}/terms", "/fr/research/projects/{}/members"):
        page = client.get("/fr/research")
        form = {"csrf_token": csrf_from(page.text), "accept": "yes", "pseudonym": "OtherLab"}
        assert client.post(path.format(project.id), data=form).status_code == 404, path


def test_unapproved_or_expired_project_cannot_export(client: TestClient, session: Session) -> None:
    researcher = make_user(session)
    pending = projects.apply(session, applicant=researcher, title="Pending", institution="KU Leuven",
                             purpose="p", ethics_ref="S-1", data_requested="d", retention="r", accept_terms=True)
    expired = approved_project(session, lead=researcher, title="Old")
    expired.expires_on = dt.date.today() - dt.timedelta(days=1)
    session.commit()
    token = api_login(client, researcher.pseudonym)
    for project_id in (pending.id, expired.id):
        response = client.post(f"/api/v1/research/projects/{project_id}/exports", json={"format": "jsonl"},
                               headers={"X-CSRF-Token": token})
        assert response.status_code == 403
        assert "expir" in response.json()["detail"]


def test_every_step_is_audited_and_files_expire(client: TestClient, session: Session, db: Database,
                                                settings: Settings) -> None:
    alice, _bob, researcher, project = _forum(session)
    put_consent(client, alice.pseudonym, posts=True)
    _export(client, researcher.pseudonym, project.id, format="csv", dates="shift")
    export = session.scalar(select(Export))
    assert export is not None and export.status == ExportStatus.ready
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "research_export")))
    assert {"research_export_requested", "research_export_ready", "research_export_downloaded"} <= actions
    path = settings.research_export_dir / export.file_name
    assert path.exists()

    export.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert housekeeping.run_once(db, settings)["research exports"] == 1  # every app process, on a timer
    assert not path.exists()
    session.refresh(export)
    assert export.status == ExportStatus.expired
    token = api_login(client, researcher.pseudonym)
    assert client.get(f"/api/v1/research/exports/{export.id}/download",
                      headers={"X-CSRF-Token": token}).status_code == 410


def test_diary_data_only_from_members_with_diary_consent(client: TestClient, session: Session) -> None:
    alice, bob, researcher, project = _forum(session)
    session.commit()
    for member in (alice, bob):
        token = api_login(client, member.pseudonym)
        response = client.post("/api/v1/diary/entries", json={
            "date": dt.date.today().isoformat(), "medications": [{"drug": "Loramet", "dose_mg": 1}],
            "sleep_hours": 5, "mood": 3, "note": "secret note"}, headers={"X-CSRF-Token": token})
        assert response.status_code in (200, 201), response.text
        client.cookies.clear()
    put_consent(client, alice.pseudonym, posts=False, diary=True)
    files = _export(client, researcher.pseudonym, project.id, diary="entries")
    entries = jsonl(files["data/diary_entries.jsonl"])
    assert len(entries) == 1 and entries[0]["medications"] == [{"molecule": "lormetazepam", "dose_mg": 1.0}]
    assert b"secret note" not in b"".join(files.values())
    monthly = jsonl(_export(client, researcher.pseudonym, project.id, diary="aggregated")["data/diary_monthly.jsonl"])
    assert monthly[0]["entries"] == 1 and monthly[0]["mean_mood"] == 3


def test_the_csv_for_excel_has_a_mark_semicolons_and_decimal_commas(client: TestClient, session: Session) -> None:
    """Belgian Excel splits on ";", reads "6.5" as a date and needs a byte-order mark for accents: a format of its
    own; the plain CSV (what R and pandas read) is unchanged."""
    import csv
    import io

    alice, _bob, researcher, project = _forum(session)
    token = api_login(client, alice.pseudonym)
    assert client.post("/api/v1/diary/entries", json={
        "date": dt.date.today().isoformat(), "medications": [{"drug": "Loramet", "dose_mg": 1}],
        "sleep_hours": 6.5, "mood": 3}, headers={"X-CSRF-Token": token}).status_code in (200, 201)
    client.cookies.clear()
    put_consent(client, alice.pseudonym, posts=True, diary=True)
    plain = _export(client, researcher.pseudonym, project.id, format="csv", diary="entries")
    excel = _export(client, researcher.pseudonym, project.id, format="csv_excel", diary="entries")
    assert set(plain) == set(excel)
    for name in ("data/posts.csv", "data/threads.csv", "data/diary_entries.csv"):
        assert not plain[name].startswith(b"\xef\xbb\xbf") and excel[name].startswith(b"\xef\xbb\xbf"), name
        plain_rows = list(csv.reader(io.StringIO(plain[name].decode("utf-8"))))
        excel_rows = list(csv.reader(io.StringIO(excel[name].decode("utf-8-sig")), delimiter=";"))
        assert excel_rows[0] == plain_rows[0] and len(excel_rows) == len(plain_rows) > 1, name
    entry = dict(zip(*csv.reader(io.StringIO(excel["data/diary_entries.csv"].decode("utf-8-sig")), delimiter=";"),
                     strict=False))
    assert entry["sleep_hours"] == "6,5" and "," in entry["diazepam_mg"], entry
    assert b"6.5" in plain["data/diary_entries.csv"]
    assert "semicolon-separated" in excel["README.md"].decode()


def test_convokit_corpus_loads(client: TestClient, session: Session, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    convokit = pytest.importorskip("convokit", reason="make test installs convokit (see Makefile)")
    monkeypatch.setenv("HOME", str(tmp_path))  # ConvoKit writes a config file into the home folder
    alice, _bob, researcher, project = _forum(session)
    put_consent(client, alice.pseudonym, posts=True)
    files = _export(client, researcher.pseudonym, project.id, format="convokit")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, content in files.items():
        if name.startswith("corpus/"):
            (tmp_path / name).write_bytes(content)
    corpus = convokit.Corpus(filename=str(folder))
    assert len(list(corpus.iter_utterances())) == 3
    assert len(list(corpus.iter_conversations())) == 1
    conversation = next(corpus.iter_conversations())
    assert conversation.meta["title"] == "Mon sevrage"
    texts = [u.text for u in conversation.get_chronological_utterance_list()]
    assert texts[1] == "[NO_CONSENT]" and "Loramet 2 mg" in texts[0]
    speakers = {s.id for s in corpus.iter_speakers()}
    assert "no-consent" in speakers and len(speakers) == 2


def test_convokit_files_follow_the_documented_format(client: TestClient, session: Session) -> None:
    """Without ConvoKit installed: the on-disk format its loader reads (utterances.jsonl, speakers.json,
    conversations.json, corpus.json, index.json), with every reply_to inside the corpus."""
    alice, _bob, researcher, project = _forum(session)
    put_consent(client, alice.pseudonym, posts=True)
    files = _export(client, researcher.pseudonym, project.id, format="convokit")
    utterances = jsonl(files["corpus/utterances.jsonl"])
    ids = {u["id"] for u in utterances}
    speakers = json.loads(files["corpus/speakers.json"])
    conversations = json.loads(files["corpus/conversations.json"])
    index = json.loads(files["corpus/index.json"])
    for utterance in utterances:
        assert set(utterance) == {"id", "speaker", "conversation_id", "reply_to", "timestamp", "text", "meta",
                                  "vectors"}
        assert utterance["speaker"] in speakers and utterance["conversation_id"] in conversations
        assert utterance["reply_to"] is None or utterance["reply_to"] in ids
        assert set(utterance["meta"]) == set(index["utterances-index"])
    assert index["version"] == 1 and set(json.loads(files["corpus/corpus.json"])) == set(index["overall-index"])


def test_cli_project_add_and_export(session: Session, settings: Settings, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app.cli import cli
    from app.research import service

    alice, _bob, _researcher, _project = _forum(session)
    service.set_consent(session, user=alice, posts=True, diary=False, lang="fr")
    session.commit()
    monkeypatch.setenv("FORUM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FORUM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FORUM_RESEARCH__ANONYMISER", "rules")
    from app.settings import get_settings
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        expires = (dt.date.today() + dt.timedelta(days=365)).isoformat()
        added = runner.invoke(cli, ["research", "project", "add", "--title", "CLI study", "--institution", "UGent",
                                    "--ethics-ref", "EC/2026/12", "--expires", expires, "--approve"])
        assert added.exit_code == 0, added.output
        project_id = int(added.output.strip())
        out = tmp_path / "cli-export.zip"
        result = runner.invoke(cli, ["research", "export", "--project", str(project_id), "--format", "csv",
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        files = read_zip(out.read_bytes())
        assert b"[NO_CONSENT]" in files["data/posts.csv"] and b"Loramet 2 mg" in files["data/posts.csv"]
        refused = runner.invoke(cli, ["research", "export", "--project", "9999", "--out", str(out)])
        assert refused.exit_code == 1
    finally:
        get_settings.cache_clear()
    session.expire_all()
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "research_export_cli")) is not None
