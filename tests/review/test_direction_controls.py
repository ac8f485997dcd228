"""Private messages, reports, appeals and decision reasons refuse text-direction overrides, as post bodies do.

"\u202egnp.exe" shows "exe.png" to whoever reads it: a member could make a moderator read
something else than what was written, or the reverse.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.review import appeals, canned, decisions, messages, reports
from app.review.decisions import DecisionInput, Target
from app.review.models import Appeal, Message, Report
from app.settings import Settings
from tests.factories import csrf_from, html_login, make_user
from tests.review.helpers import as_member, moderator, open_item, post

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("control", OVERRIDES)
def test_a_private_message_with_a_direction_override_is_refused_on_both_sides(session: Session,
                                                                               control: str) -> None:
    member, modo = make_user(session, "Membre"), moderator(session, "Modo")
    with pytest.raises(ValidationFailed) as refused:
        messages.start(session, moderator=modo, member=member, subject="Bonjour", body=f"Lis {control}gnp.exe")
    assert refused.value.field == "body"
    with pytest.raises(ValidationFailed) as refused:
        messages.start(session, moderator=modo, member=member, subject=f"Au sujet {control}de", body="Bonjour")
    assert refused.value.field == "subject"
    conversation = messages.start(session, moderator=modo, member=member, subject="Bonjour", body="Comment ça va ?")
    with pytest.raises(ValidationFailed) as refused:
        messages.reply(session, conversation=conversation, author=member, body=f"Bien {control}merci")
    assert refused.value.field == "body"
    assert session.scalar(select(func.count(Message.id))) == 1


def test_the_member_is_told_in_their_language_and_keeps_the_text(client: TestClient, session: Session) -> None:
    member, modo = make_user(session, "Lid"), moderator(session, "Moderator", "nl")
    conversation = messages.start(session, moderator=modo, member=member, subject="Hallo", body="Hoe gaat het?")
    session.commit()
    html_login(client, "Lid", lang="nl")
    page = client.get(f"/nl/account/inbox/{conversation.id}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/nl/account/inbox/{conversation.id}",
                           data={"csrf_token": token, "body": "Goed \u202edank je"})
    assert response.status_code == 422
    assert "tekstrichting" in response.text and "Goed \u202edank je" in response.text
    assert session.scalar(select(func.count(Message.id))) == 1


def test_reports_appeals_reasons_and_canned_replies_refuse_direction_overrides(session: Session,
                                                                               settings: Settings) -> None:
    author, reporter, modo = make_user(session, "Auteur"), make_user(session, "Lectrice"), moderator(session, "Modo")
    posted = post(session, author, "Bonjour à toutes et à tous.")
    with pytest.raises(ValidationFailed) as refused:
        reports.create_report(session, settings, post=posted.post, reporter=reporter, location="",
                              data=reports.ReportInput(reason="other", text="Voir \u2066ceci\u2069"))
    assert refused.value.field == "text"
    with pytest.raises(ValidationFailed) as refused:
        decisions.act(session, settings, target=Target(post=None, thread=None, member=author), actor=modo,
                      data=DecisionInput(action="warn", reason="Raison \u202einversée", rule="respect"))
    assert refused.value.field == "reason"
    outcome = decisions.act(session, settings, target=Target(post=None, thread=None, member=author), actor=modo,
                            data=DecisionInput(action="warn", reason="Merci de relire les règles.", rule="respect"))
    assert outcome.statement is not None
    with pytest.raises(ValidationFailed) as refused:
        appeals.create_appeal(session, statement=outcome.statement, appellant=author, text="Je \u202bconteste")
    assert refused.value.field == "text"
    assert session.scalar(select(func.count(Appeal.id))) == 0
    with pytest.raises(ValidationFailed) as refused:
        canned.save_reply(session, editor=modo, reply=None, purpose="general", lang="fr", title="Bonjour",
                          body="Texte \u202dforcé")
    assert refused.value.field == "body"


def test_the_api_answers_an_appeal_with_an_override_in_english(client: TestClient, session: Session,
                                                              settings: Settings) -> None:
    member, modo = make_user(session, "Averti"), moderator(session, "Premiere")
    outcome = decisions.act(session, settings, target=Target(post=None, thread=None, member=member), actor=modo,
                            data=DecisionInput(action="warn", reason="Ton message privé était blessant.",
                                               rule="respect"))
    session.commit()
    assert outcome.statement is not None
    token = as_member(client, "Averti")
    response = client.post(f"/api/v1/me/statements/{outcome.statement.id}/appeal", json={"text": "No \u202eway"},
                           headers={"X-CSRF-Token": token, "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["field"] == "text" and "text-direction control characters" in response.json()["detail"]


@pytest.mark.parametrize("field", ["public_body", "private_body"])
def test_a_support_error_lands_on_the_support_field_typed_in(client: TestClient, session: Session,
                                                             field: str) -> None:
    moderator(session, "Modo", "fr")
    crisis = post(session, make_user(session, "Auteur"), "Je n'en peux plus, je veux en finir ce soir.")
    session.commit()
    item = open_item(session, crisis.post.id)
    html_login(client, "Modo")
    page = client.get(f"/fr/review/items/{item.id}")
    token = csrf_from(page.text)
    typed = {"public_body": "Courage", "private_body": "Bonjour", field: "Courage \u202eABC"}
    response = client.post(f"/fr/review/items/{item.id}/support",
                           data={"csrf_token": token, "version": str(item.version), "banner": "1", **typed})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text  # next to the field the moderator typed in
    assert 'id="body-error"' not in response.text  # not on the "decide" form's copy of the post
    assert f'aria-describedby="{field}-error" aria-invalid="true"' in response.text
    assert "Courage \u202eABC" in response.text


@pytest.mark.parametrize(("name", "contact", "field", "message"), [
    ("A\u202eB", "", "notifier_name", "contrôle du sens"),
    ("Anne", "a\u202e@b.be", "notifier_contact", "adresse e-mail"),
    ("Anne", "pas-un-email", "notifier_contact", "adresse e-mail"),
])
def test_a_visitor_notice_says_what_is_wrong_with_the_name_or_e_mail(client: TestClient, session: Session,
                                                                    name: str, contact: str, field: str,
                                                                    message: str) -> None:
    posted = post(session, make_user(session, "Auteur"), "Un message ordinaire sur la diminution.")
    session.commit()
    page = client.get(f"/fr/p/{posted.post.id}/report")
    form = {"csrf_token": csrf_from(page.text), "reason": "illegal", "text": "Inquiet", "notifier_name": name,
            "notifier_contact": contact, "good_faith": "1"}
    response = client.post(f"/fr/p/{posted.post.id}/report", data=form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'aria-describedby="{field}-error" aria-invalid="true"' in response.text
    assert "Inquiet" in response.text and name in response.text and contact in response.text
    assert session.scalar(select(func.count(Report.id))) == 0


def test_a_visitor_notice_keeps_an_ordinary_e_mail_optional(client: TestClient, session: Session) -> None:
    posted = post(session, make_user(session, "Auteur"), "Un message ordinaire sur la diminution.")
    session.commit()
    for contact in ("", "anne.dupont@exemple.be"):
        client.cookies.clear()
        page = client.get(f"/fr/p/{posted.post.id}/report")
        response = client.post(f"/fr/p/{posted.post.id}/report", data={
            "csrf_token": csrf_from(page.text), "reason": "illegal", "text": "Inquiet", "notifier_contact": contact,
            "good_faith": "1"})
        assert response.status_code == 201, response.text
    assert session.scalar(select(Report.notifier_contact).order_by(Report.id.desc()).limit(1)) == \
        "anne.dupont@exemple.be"
