"""Whom a post names: @mentions outside code and quotes, quote headers as the reply box writes them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.forum import references
from app.markdown import quote
from tests.factories import make_category, make_reply, make_thread, make_user


def test_scan_finds_mentions_in_text_only() -> None:
    mentions, quoted = references.scan(
        "Salut @Anne, et @bert.z. (écris à carl@example.com)\n\n`@code` et\n\n    @indented\n\n"
        "> **Dora**:\n> dit @Eva\n\n[@Lien](https://example.org) @x"
    )
    assert mentions == [["Anne"], ["bert.z.", "bert.z"], ["Lien"]]
    assert quoted == ["Dora"]


def test_find_resolves_names_case_insensitively_and_never_the_author(session: Session) -> None:
    anne, bert = make_user(session, "Anne"), make_user(session, "Bert")
    posted = make_thread(session, category=make_category(session), author=anne)
    reply = make_reply(session, posted=posted, author=bert,
                       body=quote("anne", "Bonjour") + "@ANNE @bert @Personne @Anne")
    found = references.find(session, reply.post)
    assert found.mentioned_ids == (anne.id,)
    assert found.quoted_ids == (anne.id,)


def test_at_most_ten_members_per_post(session: Session) -> None:
    author = make_user(session, "Auteur")
    members = [make_user(session, f"membre{i:02d}") for i in range(12)]
    posted = make_thread(session, category=make_category(session), author=author,
                         body=" ".join(f"@{m.pseudonym}" for m in members))
    assert references.find(session, posted.post).mentioned_ids == tuple(m.id for m in members[:10])
