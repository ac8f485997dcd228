"""Account operations on a real database: sign-up, log-in and its throttle, recovery, preferences, upkeep."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import passwords, service, throttle
from app.accounts.models import AuthSession, ThrottleBucket, User, UserStatus
from app.db import utcnow
from app.errors import Conflict, LoginFailed, Problems, RateLimited, RecoveryFailed, ValidationErrors, ValidationFailed
from app.settings import Settings
from tests.factories import PASSWORD, make_throttle_buckets, make_user

CLIENT = "client-key"


def test_sign_up_hashes_the_password_and_issues_codes(session: Session, settings: Settings) -> None:
    result = service.sign_up(session, settings, pseudonym="  Lune ", password=PASSWORD, locale="nl")
    assert result.user.pseudonym == "Lune" and result.user.locale == "nl" and result.user.read_langs == "nl"
    assert result.user.password_hash.startswith("$argon2id$")
    assert len(result.recovery_codes) == service.RECOVERY_CODE_COUNT
    assert service.remaining_recovery_codes(session, user=result.user) == service.RECOVERY_CODE_COUNT


def test_an_unknown_locale_falls_back_to_the_default_one(session: Session, settings: Settings) -> None:
    settings.default_locale = "nl"
    assert service.sign_up(session, settings, pseudonym="Sans", password=PASSWORD, locale="xx").user.locale == "nl"


def test_taken_and_look_alike_pseudonyms_conflict(session: Session, settings: Settings) -> None:
    make_user(session, "Marie")
    for name in ("marie", "M\u0430rie", "Mar1e"):
        with pytest.raises(Conflict):
            service.sign_up(session, settings, pseudonym=name, password=PASSWORD, locale="fr")


def test_sign_ups_are_limited_per_client(session: Session, settings: Settings) -> None:
    settings.throttle.signups_per_client = 1
    service.sign_up(session, settings, pseudonym="Premiere", password=PASSWORD, locale="fr", client_key=CLIENT)
    with pytest.raises(RateLimited) as limited:
        service.sign_up(session, settings, pseudonym="Seconde", password=PASSWORD, locale="fr", client_key=CLIENT)
    # Retry-After is the wait until the client's window ends, never more than the window.
    assert 1 <= int(limited.value.headers["Retry-After"]) <= settings.throttle.window_seconds


def test_login_opens_a_session_and_failures_are_counted(session: Session, settings: Settings) -> None:
    user = make_user(session, "Hibou")
    login = service.authenticate(session, settings, pseudonym="HIBOU", password=PASSWORD, client_key=CLIENT,
                                 device="Firefox · Linux")
    assert login.user.id == user.id
    auth = service.get_session_by_token(session, login.token)
    assert auth is not None and auth.user.id == user.id and auth.device == "Firefox · Linux"
    with pytest.raises(LoginFailed) as failed:
        service.authenticate(session, settings, pseudonym="Hibou", password="not it at all", client_key=CLIENT)
    assert failed.value.keep_changes and failed.value.status_code == 401
    assert throttle.attempts(session, CLIENT, settings.throttle.window_seconds) == 1


def test_unknown_pseudonyms_and_deleted_members_fail_alike(session: Session, settings: Settings) -> None:
    make_user(session, "Parti").status = UserStatus.deleted
    for name in ("Parti", "Personne"):
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym=name, password=PASSWORD, client_key=CLIENT)


def test_failures_slow_down_the_failing_client_never_the_owner(session: Session, settings: Settings) -> None:
    """Issue 9, item 7: five wrong guesses from anyone once locked the owner out of log-in and recovery."""
    signed = service.sign_up(session, settings, pseudonym="Renard", password=PASSWORD, locale="fr")
    for _ in range(settings.throttle.per_pseudonym):
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym="Renard", password="wrong!wrong!", client_key="attacker")
    with pytest.raises(RateLimited) as limited:  # the attacker's own client now waits, even with the right password
        service.authenticate(session, settings, pseudonym="Renard", password=PASSWORD, client_key="attacker")
    wait = int(limited.value.headers["Retry-After"])
    assert 0 < wait <= settings.throttle.first_delay_seconds + 1
    assert f"{wait} " in limited.value.translated()
    # The owner, from their own device, logs in and recovers as usual.
    assert service.authenticate(session, settings, pseudonym="Renard", password=PASSWORD, client_key="owner")
    assert service.recover(session, settings, pseudonym="Renard", code=signed.recovery_codes[0],
                           new_password="another fine passphrase 7", client_key="owner")


def test_delays_grow_for_a_client_that_keeps_failing(session: Session, settings: Settings) -> None:
    import datetime as dt

    from app.accounts.models import ThrottleBucket

    make_user(session, "Hibou")
    for round_ in range(3):
        with pytest.raises((LoginFailed, RateLimited)):
            service.authenticate(session, settings, pseudonym="Hibou", password="wrong!wrong!", client_key="slow")
        if round_ == 0:
            for _ in range(settings.throttle.per_pseudonym - 1):
                with pytest.raises(LoginFailed):
                    service.authenticate(session, settings, pseudonym="Hibou", password="bad!bad!bad",
                                         client_key="slow")
        # Let the current delay pass, then fail once more.
        for bucket in session.scalars(select(ThrottleBucket)):
            bucket.last_at = bucket.last_at - dt.timedelta(hours=1) if bucket.last_at else None
        session.flush()
    with pytest.raises(LoginFailed):
        service.authenticate(session, settings, pseudonym="Hibou", password="wrong!wrong!", client_key="slow")
    with pytest.raises(RateLimited) as limited:
        service.authenticate(session, settings, pseudonym="Hibou", password=PASSWORD, client_key="slow")
    assert int(limited.value.headers["Retry-After"]) > 2 * settings.throttle.first_delay_seconds
    assert "minute" in limited.value.translated()


def test_an_account_attacked_from_many_clients_stays_open_to_its_owner(session: Session, settings: Settings) -> None:
    settings.throttle.per_pseudonym_all_clients = 6
    make_user(session, "Cible")
    for n in range(6):
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym="Cible", password="guess!guess!", client_key=f"bot{n}")
    with pytest.raises(RateLimited):  # a client that already failed on it waits the whole window
        service.authenticate(session, settings, pseudonym="Cible", password="guess!guess!", client_key="bot0")
    assert service.authenticate(session, settings, pseudonym="Cible", password=PASSWORD, client_key="owner")


def test_recovery_failures_are_counted_apart_from_log_in(session: Session, settings: Settings) -> None:
    signed = service.sign_up(session, settings, pseudonym="Castor", password=PASSWORD, locale="fr")
    for _ in range(settings.throttle.per_pseudonym):
        with pytest.raises(LoginFailed):
            service.authenticate(session, settings, pseudonym="Castor", password="wrong!wrong!", client_key=CLIENT)
    assert service.recover(session, settings, pseudonym="Castor", code=signed.recovery_codes[0],
                           new_password="another fine passphrase 7", client_key=CLIENT)


def test_recovery_resets_the_password_once_and_closes_sessions(session: Session, settings: Settings) -> None:
    result = service.sign_up(session, settings, pseudonym="Oublie", password=PASSWORD, locale="fr")
    service.open_session(session, settings, user=result.user)
    code = result.recovery_codes[0]
    new_password = "another fine passphrase 7"
    user = service.recover(session, settings, pseudonym="oublie", code=code.upper(), new_password=new_password,
                           client_key=CLIENT)
    assert user.id == result.user.id
    assert session.scalar(select(func.count(AuthSession.id))) == 0
    assert service.authenticate(session, settings, pseudonym="Oublie", password=new_password, client_key=CLIENT)
    with pytest.raises(RecoveryFailed) as failed:  # a code works once
        service.recover(session, settings, pseudonym="Oublie", code=code, new_password=new_password,
                        client_key=CLIENT)
    assert failed.value.field == "code" and failed.value.keep_changes
    with pytest.raises(ValidationFailed) as weak:
        service.recover(session, settings, pseudonym="Oublie", code=result.recovery_codes[1], new_password="short",
                        client_key=CLIENT)
    assert weak.value.field == "password"


def test_change_password_checks_the_current_one(session: Session, settings: Settings) -> None:
    user = make_user(session)
    with pytest.raises(ValidationFailed) as wrong:
        service.change_password(session, settings, user=user, current="not mine", new="a brand new phrase 9",
                                keep_token=None, client_key=CLIENT)
    assert wrong.value.field == "current_password"
    service.change_password(session, settings, user=user, current=PASSWORD, new="a brand new phrase 9",
                            keep_token=None, client_key=CLIENT)
    assert service.authenticate(session, settings, pseudonym=user.pseudonym, password="a brand new phrase 9",
                                client_key=CLIENT)


def test_preferences_keep_known_values_only(session: Session) -> None:
    user = make_user(session)
    service.update_preferences(session, user=user, locale="en", read_langs=["nl", "xx", "fr"],
                               expand_notes=["doses", "gore"])
    assert (user.locale, user.read_langs, user.expand_notes) == ("en", "fr,nl", "doses")
    with pytest.raises(ValidationFailed) as none:
        service.update_preferences(session, user=user, locale="fr", read_langs=[], expand_notes=[])
    assert none.value.field == "read_langs"


def test_other_sessions_close_and_the_current_one_stays(session: Session, settings: Settings) -> None:
    user = make_user(session)
    keep = service.open_session(session, settings, user=user)
    service.open_session(session, settings, user=user)
    assert service.close_other_sessions(session, user=user, keep_token=keep) == 1
    assert [s.id for s in service.list_sessions(session, user=user)] == [service.get_session_by_token(session, keep).id]  # type: ignore[union-attr]


def test_expired_throttle_buckets_are_purged(session: Session, settings: Settings) -> None:
    make_throttle_buckets(session, settings.throttle.window_seconds)
    assert service.purge_expired_throttles(session, settings) == 1
    assert list(session.scalars(select(ThrottleBucket.key))) == ["current"]


def test_export_holds_the_account_but_no_secret(session: Session, settings: Settings) -> None:
    user = service.sign_up(session, settings, pseudonym="Exporte", password=PASSWORD, locale="fr").user
    exported = service.export_account(session, user=user)
    assert exported["pseudonym"] == "Exporte" and exported["unused_recovery_codes"] == 10
    assert "password_hash" not in exported and user.password_hash not in str(exported)


def test_delete_account_removes_the_member(session: Session) -> None:
    user = make_user(session)
    service.delete_account(session, user=user)
    session.flush()
    assert session.get(User, user.id) is None


@pytest.mark.parametrize("typed", ["{a}-{b}-{c}", "{A}-{B}-{C}", "{a} {b} {c}", "{a}{b}{c}", " {A}{b} -{c} "])
def test_a_recovery_code_is_accepted_however_it_is_typed(session: Session, settings: Settings, typed: str) -> None:
    """Issue 9, item 8: codes were refused unless typed in their exact dashed form."""
    result = service.sign_up(session, settings, pseudonym="Frappe", password=PASSWORD, locale="fr")
    a, b, c = result.recovery_codes[0].split("-")
    code = typed.format(a=a, b=b, c=c, A=a.upper(), B=b.upper(), C=c.upper())
    assert service.recover(session, settings, pseudonym="Frappe", code=code, new_password="another fine passphrase 7",
                           client_key=CLIENT)


@pytest.mark.parametrize("password", ["Trefle2024!!", "klaver-klaver-1234", "Benzo forum 2025", "Lormétazépam_99",
                                      "Sevrage!2026"])
def test_passwords_made_of_the_forums_own_words_are_refused(password: str) -> None:
    """ASVS 5.0 V6.2.11: the documented context words (passwords.CONTEXT_WORDS) plus the pseudonym."""
    with pytest.raises(ValidationFailed) as refused:
        passwords.validate_password(password, pseudonym="Lune")
    assert refused.value.field == "password"
    passwords.validate_password("my trefle garden path", pseudonym="Lune")  # a word of them among others is fine


def test_a_session_ends_at_its_absolute_limit_however_much_it_is_used(session: Session, settings: Settings) -> None:
    """ASVS 5.0 V7.3.2: use slides the expiry, never past session_max_days after the log-in."""
    user = make_user(session, "Fidele")
    token = service.open_session(session, settings, user=user)
    session.flush()
    auth = service.get_session_by_token(session, token)
    assert auth is not None
    opened = utcnow() - dt.timedelta(days=settings.session_max_days - 1)
    auth.created_at, auth.last_seen_at = opened, utcnow() - dt.timedelta(hours=1)
    session.flush()
    assert service.touch_session(session, settings, auth)
    session.expire_all()
    auth = service.get_session_by_token(session, token)
    assert auth is not None and auth.expires_at == opened + dt.timedelta(days=settings.session_max_days)


def test_sign_up_reports_the_pseudonym_and_password_problems_together(session: Session, settings: Settings) -> None:
    with pytest.raises(ValidationErrors) as raised:
        service.sign_up(session, settings, pseudonym="a", password="short", locale="fr")
    assert [error.field for error in raised.value.errors] == ["pseudonym", "password"]
    # A one-letter pseudonym does not make every password with that letter "contain the pseudonym".
    with pytest.raises(ValidationFailed) as alone:
        service.sign_up(session, settings, pseudonym="a", password="a sturdy passphrase 42", locale="fr")
    assert alone.value.field == "pseudonym" and not isinstance(alone.value, ValidationErrors)
    service.sign_up(session, settings, pseudonym="Prise", password="a sturdy passphrase 42", locale="fr")
    mismatch = Problems()
    mismatch.errors.append(ValidationFailed("The two passwords are not the same.", field="password_confirm"))
    with pytest.raises(ValidationErrors) as taken:
        service.sign_up(session, settings, pseudonym="prise", password="short", locale="fr", problems=mismatch)
    assert [error.field for error in taken.value.errors] == ["pseudonym", "password", "password_confirm"]
    with pytest.raises(Conflict):  # a taken name alone is still a conflict (409 in the API)
        service.sign_up(session, settings, pseudonym="prise", password="a sturdy passphrase 42", locale="fr")
