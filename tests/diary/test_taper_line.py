"""The opt-in taper line under forum posts, in the reader's language, at no extra query."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.diary import service
from tests.diary.helpers import TODAY, days_ago, log
from tests.factories import html_login, make_category, make_reply, make_thread, make_user


def test_taper_line_in_the_readers_language(client: TestClient, session: Session) -> None:
    author = make_user(session, "Tapering")
    log(session, author, days_ago(142), dose=2)
    log(session, author, days_ago(3), dose=0.5)
    service.update_settings(session, user=author, visibility="private", taper_line_on=True)
    silent = make_user(session, "Silent")
    log(session, silent, days_ago(10), drug="zolpidem", dose=10)  # not opted in
    posted = make_thread(session, category=make_category(session), author=author)
    make_reply(session, posted=posted, author=silent)
    session.commit()
    thread = posted.post.thread_id
    fr = client.get(f"/fr/t/{thread}").text
    assert "Lormétazépam 2 mg → 0,5 mg" in fr and "143" in fr and 'class="taper-line" lang="fr"' in fr
    nl = client.get(f"/nl/t/{thread}").text
    assert "Lormetazepam 2 mg → 0,5 mg" in nl and 'class="taper-line" lang="nl"' in nl
    en = client.get(f"/en/t/{thread}").text
    # English numbers, as the English diary forms write them (QA: "1 mg → 1,5 mg" read as a list on English pages).
    assert "Lormetazepam 2 mg → 0.5 mg · day 143 of my taper" in en and "0,5" not in en
    assert en.count('class="taper-line"') == 1  # the member who did not opt in has none
    assert "Zolpidem" not in en


def test_stopped_line_shows_the_date_in_the_readers_language(client: TestClient, session: Session) -> None:
    author = make_user(session, "Free")
    stopped = TODAY - dt.timedelta(days=40)
    log(session, author, stopped - dt.timedelta(days=100), dose=1)
    log(session, author, stopped, dose=None)
    service.update_settings(session, user=author, visibility="members", taper_line_on=True)
    posted = make_thread(session, category=make_category(session), author=author)
    make_user(session, "Friend")
    session.commit()
    thread = posted.post.thread_id
    months = {"fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
              "nl": "januari februari maart april mei juni juli augustus september oktober november december"}
    for lang, names in months.items():
        html = client.get(f"/{lang}/t/{thread}").text
        assert f"{stopped.day} {names.split()[stopped.month - 1]}" in html
    assert "Benzo-free since" in client.get(f"/en/t/{thread}").text
    html_login(client, "Friend")  # the diary is open to members: the line links to it
    assert f"/en/diary/member/{author.id}" in client.get(f"/en/t/{thread}").text
