"""Account operations. Plain functions: a session first, keywords after; no HTTP here."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from ua_parser import parse as parse_user_agent

from app.accounts import devices, names, passwords, throttle
from app.accounts.models import AuthSession, RecoveryCode, Restriction, Role, User, UserStatus
from app.content_notes import is_content_note
from app.db import RowLoader, autoflushed_connection, utcnow
from app.errors import Conflict, LoginFailed, Problems, RateLimited, RecoveryFailed, ValidationFailed, WrongPassword
from app.i18n import LOCALES
from app.i18n_markers import N_
from app.security import keyed_hash, new_token, token_hash
from app.settings import Settings

RECOVERY_CODE_COUNT = 10
TAKEN = N_("This pseudonym is taken, or looks too much like one that is. Please choose another.")
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are copied by hand


@dataclass(frozen=True)
class SignUp:
    user: User
    recovery_codes: list[str]


@dataclass(frozen=True)
class Login:
    user: User
    token: str  # the session cookie's value; only its hash is stored
    erasure_cancelled: bool = False  # the member had asked for their account's deletion: logging in cancels it
    device_cookie: str = ""  # the browser's new device cookie value (app/accounts/devices.py)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    """A code as issued ("abcd-efgh-jkmn") from however it was typed: any case, spaces, dashes or none."""
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def _code_hash(secret: bytes, code: str) -> str:
    # Codes carry ~59 bits of randomness, so a keyed SHA-256 is enough (no argon2 per code).
    return keyed_hash(secret, "recovery", normalise_code(code))


def issue_recovery_codes(session: Session, settings: Settings, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    secret = settings.resolved_secret()
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(secret, c)) for c in codes)
    return codes


def get_user_by_pseudonym(session: Session, pseudonym: str) -> User | None:
    return session.scalar(select(User).where(User.pseudonym_folded == names.folded(pseudonym)))


def iter_pseudonyms(session: Session) -> Iterator[tuple[int, str]]:
    """(id, pseudonym) of every member, streamed (research: finding mentions of members)."""
    rows = session.execute(select(User.id, User.pseudonym).execution_options(yield_per=5000))
    yield from ((user_id, pseudonym) for user_id, pseudonym in rows)


#: The sign-up form's fields, top to bottom: an error summary lists the problems in this order.
SIGNUP_FIELDS = ("pseudonym", "password", "password_confirm")


def _taken(session: Session, name: str) -> bool:
    return session.scalar(
        select(User.id).where(
            (User.pseudonym_folded == names.folded(name)) | (User.pseudonym_skeleton == names.skeleton(name))
        )
    ) is not None


def sign_up(session: Session, settings: Settings, *, pseudonym: str, password: str,
            locale: str | None, client_key: str | None = None, problems: Problems | None = None) -> SignUp:
    """A new member. `client_key` (a keyed hash, never an address) limits scripted sign-ups.

    Every problem of the pseudonym and password is reported at once (ValidationErrors when there are
    several), with those the caller already found in `problems` (the form's second password).
    """
    limits = settings.throttle
    if client_key is not None and throttle.is_limited(session, client_key, limits.signups_per_client,
                                                      limits.window_seconds):
        raise RateLimited(retry_after=throttle.seconds_left(limits.window_seconds))  # before any hashing
    problems = problems or Problems()
    name = problems.check(names.validate_pseudonym, pseudonym)
    # Against a pseudonym that is not valid (one letter, say) "must not contain your pseudonym" would refuse
    # good passwords: that check waits until the pseudonym is.
    problems.check(passwords.validate_password, password, pseudonym=name or "")
    if name is not None and _taken(session, name):
        if not problems.errors:
            raise Conflict(TAKEN)
        problems.errors.append(ValidationFailed(TAKEN, field="pseudonym"))
    problems.errors.sort(key=lambda error: SIGNUP_FIELDS.index(error.field) if error.field in SIGNUP_FIELDS
                         else len(SIGNUP_FIELDS))
    problems.raise_any()
    assert name is not None  # a name that did not validate raised above
    if locale is None or locale not in LOCALES:
        locale = settings.default_locale
    user = User(
        pseudonym=name,
        pseudonym_folded=names.folded(name),
        pseudonym_skeleton=names.skeleton(name),
        password_hash=passwords.hash_password(settings.argon2, password),
        locale=locale,
        read_langs=locale,
        role=Role.member,
    )
    # Counted in one statement just before the write (after the slow hashing, so SQLite's write
    # lock is held briefly): sign-ups sent at once from one client cannot all pass the check above.
    if client_key is not None and not throttle.consume(session, client_key, limits.signups_per_client,
                                                       limits.window_seconds):
        raise RateLimited(retry_after=throttle.seconds_left(limits.window_seconds))
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # a concurrent sign-up took the name
        raise Conflict(TAKEN) from exc
    return SignUp(user=user, recovery_codes=issue_recovery_codes(session, settings, user))


@dataclass(frozen=True)
class Keys:
    """The throttle keys of one attempt. `purpose` keeps log-in and recovery counted apart."""

    name: str  # every client's failures on this pseudonym
    client: str  # this client's failures on any pseudonym (a keyed daily hash, never the address)
    pair: str  # this client's failures on this pseudonym


def _keys(settings: Settings, purpose: str, pseudonym: str, client_key: str) -> Keys:
    secret = settings.resolved_secret()
    folded = names.folded(pseudonym)
    return Keys(name=keyed_hash(secret, f"{purpose}-name", folded), client=client_key,
                pair=throttle.PAIR_PREFIX + keyed_hash(secret, f"{purpose}-pair", f"{folded}|{client_key}")[:60])


def _pair_delay(failures: int, settings: Settings, *, under_attack: bool) -> int:
    """Seconds to wait after `failures` failures of one client on one pseudonym (0: go ahead).

    The first few are free; then the wait doubles from 30 s up to the window.
    While an account is attacked from many clients, any client that has
    already failed on it waits the longest; one that has not (its owner) never.
    """
    limits = settings.throttle
    if under_attack and failures:
        return limits.window_seconds
    if failures < limits.per_pseudonym:
        return 0
    return int(min(limits.first_delay_seconds * 2 ** (failures - limits.per_pseudonym), limits.window_seconds))


def _check_not_limited(session: Session, settings: Settings, keys: Keys) -> None:
    """Refuse with the time to wait, said plainly (RateLimited carries Retry-After).

    Throttling is by (pseudonym, client) pair, so nobody can lock a member out of
    their own account by failing on purpose (issue 9, item 7); a client failing
    on many pseudonyms is stopped by its own counter.
    """
    limits = settings.throttle
    now = utcnow()
    if throttle.is_limited(session, keys.client, limits.per_client, limits.window_seconds):
        start = throttle.window_start(now, limits.window_seconds)
        _wait(int((start - now).total_seconds()) + limits.window_seconds)
    under_attack = throttle.is_limited(session, keys.name, limits.per_pseudonym_all_clients, limits.window_seconds)
    failures, last = throttle.latest(session, keys.pair, throttle.PAIR_WINDOW_SECONDS)
    delay = _pair_delay(failures, settings, under_attack=under_attack)
    if delay and last is not None:
        remaining = int((last + dt.timedelta(seconds=delay) - now).total_seconds()) + 1
        if remaining > 0:
            _wait(remaining)


def _wait(seconds: int) -> None:
    if seconds < 90:
        raise RateLimited(N_("Too many attempts. Please try again in %(seconds)s seconds."), retry_after=seconds,
                          seconds=seconds)
    minutes = -(-seconds // 60)
    raise RateLimited(N_("Too many attempts. Please try again in %(minutes)s minutes."), retry_after=seconds,
                      minutes=minutes)


def _take_attempt(session: Session, settings: Settings, keys: Keys) -> None:
    """Count this attempt against the client's and the pair's limits, atomically, or refuse it (RateLimited).

    `_check_not_limited` before the password check only reads: fifteen attempts
    sent at once all passed it, and all got their answer (QA round 5). This is
    the binding check, made after the slow hash so that no lock is held while it
    runs (SQLite's write lock would stop every writer of the site): each attempt
    takes a slot under a compare-and-set, and one beyond the limits is refused
    whatever its password, so a burst learns nothing more than attempts one by
    one would. A success gives its slots back (`_forgive_attempt`).
    """
    limits = settings.throttle
    if not throttle.consume(session, keys.client, limits.per_client, limits.window_seconds):
        _check_not_limited(session, settings, keys)  # says how long to wait
        _wait(throttle.seconds_left(limits.window_seconds))
    under_attack = throttle.is_limited(session, keys.name, limits.per_pseudonym_all_clients, limits.window_seconds)
    now = utcnow()

    def allowed(failures: int, last: dt.datetime | None) -> bool:
        delay = _pair_delay(failures, settings, under_attack=under_attack)
        return not delay or last is None or last + dt.timedelta(seconds=delay) <= now

    if not throttle.take_if(session, keys.pair, throttle.PAIR_WINDOW_SECONDS, allowed):
        throttle.give_back(session, keys.client, limits.window_seconds)
        _check_not_limited(session, settings, keys)
        _wait(limits.first_delay_seconds)


def _count_failure(session: Session, settings: Settings, keys: Keys) -> None:
    """The attempt (already counted for the client and the pair) failed: it counts against the pseudonym too."""
    throttle.record_attempt(session, keys.name, settings.throttle.window_seconds)


def _forgive_attempt(session: Session, settings: Settings, keys: Keys) -> None:
    throttle.give_back(session, keys.client, settings.throttle.window_seconds)
    throttle.clear(session, keys.pair)


def _require_login_fields(pseudonym: str, password: str) -> None:
    problems = Problems()
    if not pseudonym.strip():
        problems.errors.append(ValidationFailed(N_("Enter your pseudonym."), field="pseudonym"))
    if not password:
        problems.errors.append(ValidationFailed(N_("Enter your password."), field="password"))
    problems.raise_any()


def authenticate(session: Session, settings: Settings, *, pseudonym: str, password: str,
                 client_key: str, device: str = "", replaces: str | None = None,
                 device_cookie: str | None = None) -> Login:
    """Check a pseudonym and password, throttled per pseudonym and per client, or per device cookie.

    An attempt presenting a valid device cookie for this member (a browser they
    logged in from: app/accounts/devices.py) is counted against that cookie's own
    budget and nothing else; the others go through the pseudonym's and the
    client's counters. Raises RateLimited or LoginFailed; both keep the request's
    writes, so a failed attempt is counted even though the request fails. On
    success the browser's previous session (`replaces`, its token) ends: a log-in
    always gets a new token and never leaves the old one usable, and the browser
    gets a new device cookie (`Login.device_cookie`).

    An empty pseudonym or password is said as such (not "do not match"), and is not counted as an attempt.
    """
    _require_login_fields(pseudonym, password)
    user = get_user_by_pseudonym(session, pseudonym)
    if user is not None and user.status != UserStatus.active:
        user = None
    presented = devices.read(session, settings, device_cookie)
    device_id = presented.device_for(user)
    if device_id is not None and user is not None:
        _device_attempt(session, settings, device_id, user, password)
    else:
        keys = _keys(settings, "login", pseudonym, client_key)
        _check_not_limited(session, settings, keys)
        if user is None:
            # Same work as a real check, so timing does not tell which pseudonyms exist.
            passwords.verify_password(settings.argon2, _DUMMY_HASH.get(settings), password)
            ok = False
        else:
            ok = passwords.verify_password(settings.argon2, user.password_hash, password)
        _take_attempt(session, settings, keys)
        if not ok or user is None:
            _count_failure(session, settings, keys)
            raise LoginFailed()
        _forgive_attempt(session, settings, keys)
    if passwords.needs_rehash(settings.argon2, user.password_hash):
        user.password_hash = passwords.hash_password(settings.argon2, password)
    if replaces:
        close_session(session, replaces)
    cancelled = user.erase_at is not None
    user.erase_at = None
    if cancelled:
        for listener in _erasure_cancelled:
            listener(session, user)
    return Login(user=user, token=open_session(session, settings, user=user, device=device),
                 erasure_cancelled=cancelled,
                 device_cookie=devices.issue(session, settings, user=user, presented=presented))


def _device_attempt(session: Session, settings: Settings, device_id: int, user: User, password: str) -> None:
    """An attempt from a browser the member logged in from: its own budget, the same compare-and-set as the others.

    Read before the slow hash (a spent budget costs no hashing), counted after it
    in one conditional UPDATE (a burst gets no more answers than attempts one by
    one would), given back on success. Raises RateLimited or LoginFailed.
    """
    limits = settings.throttle
    key = devices.throttle_key(device_id)
    if throttle.is_limited(session, key, limits.per_device, limits.window_seconds):
        _wait(throttle.seconds_left(limits.window_seconds))
    ok = passwords.verify_password(settings.argon2, user.password_hash, password)
    if not throttle.consume(session, key, limits.per_device, limits.window_seconds):
        _wait(throttle.seconds_left(limits.window_seconds))
    if not ok:
        raise LoginFailed()
    throttle.give_back(session, key, limits.window_seconds)


class _DummyHash:
    def __init__(self) -> None:
        self._by_params: dict[object, str] = {}

    def get(self, settings: Settings) -> str:
        if settings.argon2 not in self._by_params:
            self._by_params[settings.argon2] = passwords.hash_password(settings.argon2, new_token())
        return self._by_params[settings.argon2]


_DUMMY_HASH = _DummyHash()


def device_family(user_agent: str | None) -> str:
    """"Firefox on Android": browser and OS family only, never the full string."""
    if not user_agent:
        return ""
    parsed = parse_user_agent(user_agent[:512])
    browser = parsed.user_agent.family if parsed.user_agent else ""
    system = parsed.os.family if parsed.os else ""
    return " · ".join(part for part in (browser, system) if part and part != "Other")[:80]


def open_session(session: Session, settings: Settings, *, user: User, device: str = "") -> str:
    token = new_token()
    now = utcnow()
    session.add(
        AuthSession(
            user_id=user.id, token_hash=token_hash(token), last_seen_at=now,
            expires_at=now + dt.timedelta(days=min(settings.session_days, settings.session_max_days)), device=device,
            created_at=now,
        )
    )
    return token


@functools.cache
def _session_lookup() -> tuple[Select, RowLoader, RowLoader]:
    """Built once, bound per request: every page asks it, and building it cost more CPU than running it.

    A Core select of both rows (the session's, its user's), made into the objects `select(AuthSession)
    .options(joinedload(AuthSession.user))` would load, without the ORM's per-execution work.
    """
    sessions, users = RowLoader(AuthSession), RowLoader(User)
    statement = (select(*sessions.columns(), *users.columns())
                 .join_from(AuthSession, User, AuthSession.user_id == User.id)
                 .where(AuthSession.token_hash == bindparam("token_hash", type_=AuthSession.token_hash.type),
                        AuthSession.expires_at > bindparam("now", type_=AuthSession.expires_at.type)))
    return statement, sessions, users


def get_session_by_token(session: Session, token: str) -> AuthSession | None:
    """The live session for a cookie token, with its user (one query)."""
    statement, sessions, users = _session_lookup()
    row = autoflushed_connection(session).execute(statement, {"token_hash": token_hash(token), "now": utcnow()}).first()
    if row is None:
        return None
    found: AuthSession = sessions.load(session, row)
    if "user" not in found.__dict__:
        set_committed_value(found, "user", users.load(session, row, sessions.width))
    if found.user.status != UserStatus.active:
        return None
    return found


def touch_due(settings: Settings, auth: AuthSession) -> bool:
    """Whether touch_session would write now (a page asks first, and opens no savepoint when it would not)."""
    return utcnow() - auth.last_seen_at >= dt.timedelta(minutes=settings.session_touch_minutes)


def touch_session(session: Session, settings: Settings, auth: AuthSession) -> bool:
    """Slide the expiry, at most once every few minutes (keeps reads read-only), never past the absolute limit."""
    if not touch_due(settings, auth):
        return False
    now = utcnow()
    latest = auth.created_at + dt.timedelta(days=settings.session_max_days)
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth.id)
        .values(last_seen_at=now, expires_at=min(now + dt.timedelta(days=settings.session_days), latest))
    )
    return True


def close_session(session: Session, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))


def close_other_sessions(session: Session, *, user: User, keep_token: str | None) -> int:
    query = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        query = query.where(AuthSession.token_hash != token_hash(keep_token))
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def close_every_session(session: Session) -> int:
    """Log every member out (an operator's emergency measure, e.g. after a leaked database copy)."""
    return int(session.execute(delete(AuthSession)).rowcount or 0)  # type: ignore[attr-defined]


def close_session_by_id(session: Session, *, user: User, session_id: int) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.id == session_id))


def list_sessions(session: Session, *, user: User) -> list[AuthSession]:
    return list(
        session.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == user.id, AuthSession.expires_at > utcnow())
            .order_by(AuthSession.last_seen_at.desc())
        )
    )


def recover(session: Session, settings: Settings, *, pseudonym: str, code: str, new_password: str,
            client_key: str) -> User:
    """Reset a password with a one-time recovery code; every session is closed.

    Raises RecoveryFailed when the pseudonym and code do not match; like a
    failed log-in, the attempt is counted.
    """
    keys = _keys(settings, "recover", pseudonym, client_key)  # counted apart from log-in failures
    _check_not_limited(session, settings, keys)
    passwords.validate_password(new_password, pseudonym=names.normalise(pseudonym))
    user = get_user_by_pseudonym(session, pseudonym)
    record = None
    if user is not None:
        record = session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _code_hash(settings.resolved_secret(), code),
                RecoveryCode.used_at.is_(None),
            )
        )
    _take_attempt(session, settings, keys)
    if user is None or record is None:
        _count_failure(session, settings, keys)
        raise RecoveryFailed()
    _forgive_attempt(session, settings, keys)
    record.used_at = utcnow()
    user.password_hash = passwords.hash_password(settings.argon2, new_password)
    close_other_sessions(session, user=user, keep_token=None)
    return user


def remaining_recovery_codes(session: Session, *, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def change_password(session: Session, settings: Settings, *, user: User, current: str, new: str,
                    keep_token: str | None, client_key: str) -> None:
    confirm_password(session, settings, user=user, password=current, field="current_password",
                     client_key=client_key)
    passwords.validate_password(new, pseudonym=user.pseudonym)
    user.password_hash = passwords.hash_password(settings.argon2, new)
    close_other_sessions(session, user=user, keep_token=keep_token)


def update_preferences(session: Session, *, user: User, locale: str, read_langs: list[str],
                       expand_notes: list[str]) -> None:
    if locale in LOCALES:
        user.locale = locale
    langs = [code for code in LOCALES if code in read_langs]
    if not langs:
        raise ValidationFailed(N_("Choose at least one language to read."), field="read_langs")
    user.read_langs = ",".join(langs)
    user.expand_notes = ",".join(note for note in expand_notes if is_content_note(note))


def export_account(session: Session, *, user: User) -> dict[str, object]:
    """Everything the account itself holds; other domains add their own parts."""
    return {
        "pseudonym": user.pseudonym,
        "created_at": user.created_at.isoformat(),
        "role": user.role,
        "locale": user.locale,
        "read_langs": user.read_lang_list,
        "expand_notes": user.expand_note_list,
        "sessions": [
            {"device": s.device, "created_at": s.created_at.isoformat(), "last_seen_at": s.last_seen_at.isoformat()}
            for s in list_sessions(session, user=user)
        ],
        "unused_recovery_codes": remaining_recovery_codes(session, user=user),
        # Browsers that may try to log in with their own attempt budget (app/accounts/devices.py).
        "device_cookies": [{"created_at": d.created_at.isoformat(), "last_used_at": d.last_used_at.isoformat(),
                            "expires_at": d.expires_at.isoformat()} for d in devices.list_devices(session, user=user)],
    }


def confirm_password(session: Session, settings: Settings, *, user: User, password: str, field: str,
                     client_key: str) -> None:
    """The logged-in member's password asked again (erasure, new recovery codes, a new password).

    Counted exactly as log-in attempts, with the log-in's own keys (`client_key` is the
    client's "login" key): whoever holds a logged-in browser gets no more guesses at the
    password through these forms than through the log-in form, and the two share one
    budget. Raises WrongPassword (counted, kept) or RateLimited, both on `field`.
    """
    if not password:  # said as such, and not counted (as on the log-in form)
        raise ValidationFailed(N_("Enter your current password."), field=field)
    keys = _keys(settings, "login", user.pseudonym, client_key)
    try:
        _check_not_limited(session, settings, keys)
        ok = passwords.verify_password(settings.argon2, user.password_hash, password)
        _take_attempt(session, settings, keys)
    except RateLimited as exc:
        exc.field = field  # shown at the password field that was refused
        raise
    if not ok:
        _count_failure(session, settings, keys)
        raise WrongPassword(N_("Your current password is not right."), field=field)
    _forgive_attempt(session, settings, keys)


_erasure_cancelled: list[Callable[[Session, User], object]] = []


def on_erasure_cancelled(listener: Callable[[Session, User], object]) -> None:
    """Call `listener(session, user)` in the log-in's transaction when logging in cancels an erasure.

    The domains above accounts put back what they withheld meanwhile (app/wiring.py connects them).
    """
    if listener not in _erasure_cancelled:
        _erasure_cancelled.append(listener)


def schedule_erasure(session: Session, *, user: User, at: dt.datetime, keep_posts: bool) -> None:
    """Mark the account for erasure at `at` and log it out everywhere; logging in again cancels."""
    user.erase_at = at
    user.erase_keep_posts = keep_posts
    close_other_sessions(session, user=user, keep_token=None)


def pending_erasure_ids(session: Session) -> set[int]:
    """Members who asked for their account's erasure and have not cancelled it (few: a week's worth)."""
    return set(session.scalars(select(User.id).where(User.erase_at.is_not(None))))


def withdrawn_folded_pseudonyms(session: Session) -> frozenset[str]:
    """Case-folded pseudonyms of members whose erasure with their posts' text waits (User.posts_withdrawn)."""
    return frozenset(session.scalars(select(User.pseudonym_folded).where(
        User.erase_at.is_not(None), User.erase_keep_posts.is_(False))))


def list_pending_erasures(session: Session, *, keep_posts: bool) -> list[User]:
    return list(session.scalars(select(User).where(User.erase_at.is_not(None), User.erase_keep_posts.is_(keep_posts))
                                .order_by(User.id)))


def list_due_erasures(session: Session, *, now: dt.datetime) -> list[User]:
    return list(session.scalars(select(User).where(User.erase_at.is_not(None), User.erase_at <= now)))


def delete_account(session: Session, *, user: User) -> None:
    """Delete the account for good; the database cascades to everything it owns."""
    session.delete(user)


def purge_expired_throttles(session: Session, settings: Settings) -> int:
    """Delete the throttle and rate-limit buckets of past windows (run periodically by app/housekeeping.py).

    Buckets younger than the longest window are kept: a current window is never cut short.
    """
    limits = settings.rate_limits
    longest = max(settings.throttle.window_seconds, limits.searches_seconds, limits.api_reads_seconds,
                  limits.previews_seconds)
    return throttle.purge_expired(session, longest)


def set_role(session: Session, *, user: User, role: Role, languages: list[str] | None = None) -> None:
    """Make a member a moderator (of these languages), an admin, or a member again.

    Review records who did it and why (review.roles); this only changes the account.
    """
    langs = [code for code in LOCALES if code in (languages or [])]
    if role == Role.moderator and not langs:
        raise ValidationFailed(N_("A moderator moderates at least one language."), field="languages")
    user.role = role
    user.moderated_langs = ",".join(langs) if role != Role.member else ""


def restrict(session: Session, *, user: User, restriction: Restriction, until: dt.datetime | None) -> None:
    """Put a restriction on the account (review keeps the sanction's record and reasons)."""
    user.restriction = restriction
    user.restricted_until = until


def lift_restriction(session: Session, *, user: User) -> None:
    user.restriction = ""
    user.restricted_until = None


def lift_ended_restrictions(session: Session) -> int:
    """Housekeeping: clear restrictions whose time is over (they no longer count anyway)."""
    ended = list(session.scalars(select(User).where(
        User.restriction != "", User.restricted_until.is_not(None), User.restricted_until <= utcnow())))
    for user in ended:
        lift_restriction(session, user=user)
    return len(ended)


def list_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role != Role.member).order_by(User.role, User.pseudonym)))


def set_moderation_unread(session: Session, *, user: User, count: int) -> None:
    """How many statements and moderators' messages the member has not opened (review keeps it in step)."""
    user.moderation_unread = max(0, count)
