"""An urgent item in a language no moderator takes reaches every moderator (readers are told moderators know)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.db import utcnow
from app.forum.models import PostStatus
from app.review import service
from app.review.models import ModeratorSettings
from tests.factories import make_user
from tests.review.helpers import as_member, decide, moderator, open_item, post

NL_CRISIS = "Ik kan niet meer, ik wil er een einde aan maken."
NL_SOURCING = "Ik verkoop mijn Xanax-pillen, stuur me een privébericht."


def _queue(client: TestClient, **params: str) -> set[int]:
    response = client.get("/api/v1/review/queue", params=params)
    assert response.status_code == 200, response.text
    return {item["post_id"] for item in response.json()["items"]}


def test_a_dutch_crisis_with_no_dutch_moderator_reaches_the_french_one(client: TestClient, session: Session) -> None:
    moderator(session, "ModoFr", "fr")
    author = make_user(session, "Auteur", locale="nl")
    crisis = post(session, author, NL_CRISIS, title="Vanavond", lang="nl")
    sourcing = post(session, author, NL_SOURCING, title="Te koop", lang="nl")
    session.commit()
    token = as_member(client, "ModoFr")
    seen = _queue(client)
    assert crisis.post.id in seen  # urgent: nobody else would see it
    assert sourcing.post.id in seen  # held: it waits on a moderator, and none reads Dutch
    assert crisis.post.id in _queue(client, lang="nl")
    page = client.get("/fr/review").text
    assert f"/fr/review/items/{open_item(session, crisis.post.id).id}" in page
    assert "aucun modérateur" in page.lower()  # says why an item in another language is there
    item = open_item(session, crisis.post.id)
    assert client.get(f"/api/v1/review/items/{item.id}").status_code == 200
    assert client.get(f"/fr/review/items/{item.id}").status_code == 200
    assert client.get(f"/api/v1/review/items/{open_item(session, sourcing.post.id).id}").status_code == 200
    done = decide(client, token, item.id, "approve", "Bericht gelezen, steun gestuurd.", version=item.version)
    assert done["status"] == 200, done


def test_once_a_dutch_moderator_takes_crisis_items_the_others_no_longer_get_them(client: TestClient,
                                                                                 session: Session) -> None:
    moderator(session, "ModoFr", "fr")
    dutch = moderator(session, "ModoNl", "nl")
    crisis = post(session, make_user(session, "Auteur", locale="nl"), NL_CRISIS, title="Vanavond", lang="nl")
    session.commit()
    as_member(client, "ModoFr")
    assert crisis.post.id not in _queue(client)
    # The Dutch moderator steps back for a while: the crisis item comes to the others meanwhile.
    session.add(ModeratorSettings(user_id=dutch.id, crisis_paused_until=utcnow().replace(year=utcnow().year + 1)))
    session.commit()
    assert crisis.post.id in _queue(client)


def test_an_admin_does_not_count_as_a_moderator_of_every_language(client: TestClient, session: Session) -> None:
    """Admins are often not the ones reading the queue: a Dutch crisis still reaches the only (French) moderator."""
    moderator(session, "ModoFr", "fr")
    make_user(session, "Admin", role=Role.admin)
    author = make_user(session, "Auteur", locale="nl")
    crisis = post(session, author, NL_CRISIS, title="Vanavond", lang="nl")
    sourcing = post(session, author, NL_SOURCING, title="Te koop", lang="nl")
    session.commit()
    assert sourcing.post.status == PostStatus.held
    token = as_member(client, "ModoFr")
    seen = _queue(client)
    assert {crisis.post.id, sourcing.post.id} <= seen
    item = open_item(session, crisis.post.id)
    assert client.get(f"/fr/review/items/{item.id}").status_code == 200
    claimed = client.post(f"/api/v1/review/items/{item.id}/claim", headers={"X-CSRF-Token": token})
    assert claimed.status_code == 200, claimed.text
    held = open_item(session, sourcing.post.id)
    assert client.get(f"/fr/review/items/{held.id}").status_code == 200
    dashboard = client.get("/fr/review/dashboard").text
    assert "Nederlands" in dashboard and "personne ne modère cette langue" in dashboard
    assert "2 éléments attendent dans votre file" in dashboard
    done = decide(client, token, item.id, "approve", "Bericht gelezen, steun gestuurd.",
                  version=open_item(session, crisis.post.id).version)
    assert done["status"] == 200, done
    as_member(client, "Admin")  # admins still see everything
    assert sourcing.post.id in _queue(client)


def test_a_published_report_in_an_uncovered_language_waits_for_its_moderators(client: TestClient,
                                                                              session: Session) -> None:
    """Only urgent items and held posts go to every moderator: an ordinary report does not."""
    moderator(session, "ModoFr", "fr")
    author = make_user(session, "Auteur", locale="nl")
    calm = post(session, author, "Dag allemaal, week drie van de afbouw gaat goed.", title="Week drie", lang="nl")
    session.flush()
    service.add_reasons(session, post=calm.post, lang="nl", reasons=["report"])
    session.commit()
    as_member(client, "ModoFr")
    assert calm.post.id not in _queue(client)
