"""Pieces that need no search server: text folding, snippets, Meilisearch settings and mapping."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.search import text
from app.search.backend import Document, SearchQuery
from app.search.database import SqliteFts
from app.search.documents import plain_text
from app.search.meili import INDEX_SETTINGS, search_params, to_document
from tests.factories import make_category, make_thread, make_user


def test_terms_fold_stem_and_drop_stopwords() -> None:
    assert text.terms("Acouphènes le sevrage") == ["acouphen", "sevrag"]
    assert text.terms("de klachten na de afbouw") == ["klacht", "na", "afbouw"]
    assert text.terms("le la") == ["le", "la"]  # only stopwords: keep them rather than search nothing
    assert text.words("Acouphènes le sevrage") == ["acouphenes", "sevrage"]  # unstemmed, for "did you mean"


def test_stems_are_the_gentlest_prefix_cut_of_the_three_languages() -> None:
    assert text.stem("palpitations") == "palpitation"  # Dutch cuts less than French and English ("palpit")
    assert text.stem("tremblements") == "tremblement"
    assert text.stem("nights") == "night"
    assert text.stem("dagen") == "dagen"  # Dutch "daag" is no prefix of the word: left whole
    assert text.stem("lormetazepam") == "lormetazepam"


def test_snippet_marks_and_escapes() -> None:
    html = text.snippet("Un <b>Lormétazépam</b> et des acouphènes.", ["lormetazepam"])
    assert "<mark>Lormétazépam</mark>" in html and "&lt;b&gt;" in html


def test_marked_to_html_escapes_everything_but_marks() -> None:
    assert text.marked_to_html("a \x02<b>\x03 c", "\x02", "\x03") == "a <mark>&lt;b&gt;</mark> c"


def test_fts5_match_expression_quotes_syntax() -> None:
    assert SqliteFts().match_expression(None, ['a"b', "or"]) == '"a""b"* AND "or"*'


def test_index_words_follow_unicode61() -> None:
    assert text.index_words("Lormétazépam_2mg, l'ACOUPHÈNE") == {"lormetazepam", "2mg", "l", "acouphene"}


def test_plain_text_strips_markdown() -> None:
    assert plain_text("> **Lucie**:\n> bonjour [le lien](https://x.be) `code`") == "Lucie : bonjour le lien code"


DOC = Document(post_id=7, thread_id=3, title="Titre", body="Corps", lang="nl", category_id=2, category="tapering-now",
               visibility="public", created_at=dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC))


def test_meili_document_mapping() -> None:
    assert to_document(DOC) == {"id": 7, "thread_id": 3, "title": "Titre", "body": "Corps", "lang": "nl",
                                "category": "tapering-now", "visibility": "public", "created_at": 1773309600}


def test_meili_index_settings() -> None:
    assert INDEX_SETTINGS["searchableAttributes"] == ["title", "body"]
    assert set(INDEX_SETTINGS["filterableAttributes"]) >= {"lang", "category", "visibility"}
    assert INDEX_SETTINGS["sortableAttributes"] == ["created_at"]
    assert INDEX_SETTINGS["typoTolerance"]["enabled"] is True
    assert INDEX_SETTINGS["rankingRules"][-1] == "created_at:desc"  # relevance, then recency


def test_meili_search_params_filter_visibility_for_visitors() -> None:
    visitor = search_params(SearchQuery(text="x", lang="fr", category='a"b', page=2, page_size=10))
    assert visitor["filter"] == 'visibility = "public" AND lang = "fr" AND category = "a\\"b"'
    assert visitor["offset"] == 10 and visitor["limit"] == 10
    assert "body" in visitor["attributesToHighlight"]
    member = search_params(SearchQuery(text="x", members_visible=True, date_from=dt.date(2026, 1, 1)))
    assert member["filter"] == "created_at >= 1767222000"  # midnight in Brussels


def test_reindex_resumes_and_check_reports_drift(app: FastAPI, session: Session, monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app import cli as cli_module
    from app.search import cli as search_cli
    from app.search.models import ReindexState

    author = make_user(session)
    category = make_category(session)
    posts = [make_thread(session, category=category, author=author, body=f"sommeil {i}").post.id for i in range(5)]
    session.commit()
    monkeypatch.setattr(search_cli, "get_settings", lambda: settings)
    runner = CliRunner()
    result = runner.invoke(cli_module.cli, ["search", "reindex", "--batch", "2", "--restart"])
    assert result.exit_code == 0, result.output
    assert "5 posts indexed" in result.output
    checked = runner.invoke(cli_module.cli, ["search", "check"])
    assert checked.exit_code == 0, checked.output
    assert "missing from the index: 0" in checked.output
    # Drift: a document lost from the index is reported, and the exit code says so.
    backend = app.state.search
    backend.delete(session, [posts[1]])
    session.commit()
    drifted = runner.invoke(cli_module.cli, ["search", "check"])
    assert drifted.exit_code == 1 and f"missing from the index: 1 [{posts[1]}]" in drifted.output
    # An interrupted rebuild (state left at the second post) resumes after it.
    session.add(ReindexState(backend=backend.name, last_post_id=posts[1]))
    session.commit()
    resumed = runner.invoke(cli_module.cli, ["search", "reindex", "--batch", "2"])
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming after post {posts[1]}" in resumed.output and "3 posts indexed" in resumed.output
    assert session.get(ReindexState, backend.name) is None  # finished: the next run starts afresh


def test_control_characters_never_reach_a_snippet(app, client, session) -> None:  # type: ignore[no-untyped-def]
    """Issue 9, item 9: \\x02 and \\x03 in a post made unbalanced <mark> tags in search snippets."""
    from app.forum.models import Post
    from app.plain_text import strip_controls
    from app.search.worker import drain
    from tests.factories import make_category, make_thread, make_user

    assert strip_controls("a\x00b\x02c\x03d\x1b\x7fe\tf\r\ng\rh") == "abcde\tf\ng\nh"
    posted = make_thread(session, category=make_category(session), author=make_user(session),
                         title="Nuits \x02blanches\x03", body="Le \x03sommeil\x02 revient \x02doucement, \x03enfin.")
    session.commit()
    assert "\x02" not in posted.post.body_md and "\x03" not in posted.thread.title
    # A post saved before controls were stripped on input is cleaned for the index too.
    session.get(Post, posted.post.id).body_md = "Un ancien \x02sommeil\x03 \x03 réparateur"  # type: ignore[union-attr]
    session.commit()
    drain(app.state.db, app.state.search)
    items = client.get("/api/v1/search", params={"q": "sommeil"}).json()["items"]
    assert items
    for item in items:
        snippet = item["snippet_html"]
        assert snippet.count("<mark>") == snippet.count("</mark>") >= 1
        assert "\x02" not in snippet and "\x03" not in snippet


def test_snippet_folding_keeps_positions_when_letters_expand() -> None:
    """One character may fold to two ("ß" -> "ss", "ﬁ" -> "fi"): marks still land on the original letters."""
    for sample in ("Les acouphènes, la nuit", "Straße: acouphènes", "ﬁnalement les acouphènes"):
        folded, index = text._folded_with_map(sample)
        assert folded == "".join(text._fold_char(ch) for ch in sample)
        assert [sample[i] for i in index] == [ch for ch in sample for _ in text._fold_char(ch)]
        assert "<mark>acouphènes</mark>" in text.snippet(sample, ["acouphen"])


def test_documents_leave_out_quotes_of_other_posts_but_keep_the_members_own_blockquotes() -> None:
    from app.markdown import quote
    from app.search.documents import document_text

    body = ("Avant.\n\n" + quote("Partante", "Ses mots.\n\n> > **Autre**: plus ancien") + "Mes mots.\n\n"
            "> Une phrase de la notice.\n\n> > **Nichée**: dans un bloc sans en-tête\n\nFin.")
    text = document_text(body)
    assert text == "Avant. Mes mots. Une phrase de la notice. Fin."
    assert document_text(quote("Partante", "Ses mots.")) == ""


def test_snippets_leave_out_text_direction_controls_whatever_the_engine() -> None:
    from app.search import text as search_text

    spoofed = "un fichier normal \u202egnp.exe\u202c et \u2066isolé\u2069 sevrage"
    assert search_text.snippet(spoofed, ["sevrag"]) == "un fichier normal gnp.exe et isolé <mark>sevrage</mark>"
    marked = search_text.marked_to_html("\u202egnp\x02sevrage\x03", "\x02", "\x03")
    assert marked == "gnp<mark>sevrage</mark>"
