"""What the forum stores and for how long, generated from the settings and constants the code uses.

The privacy page (GET /{lang}/privacy) renders these rows, so a changed setting
changes the page: it cannot drift from what the code does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app import idempotency
from app.accounts import reveal, throttle
from app.i18n_markers import N_
from app.member_data import service
from app.settings import Settings


@dataclass(frozen=True)
class Row:
    what: str  # gettext message ids; the template translates them with `values`
    kept: str
    values: dict[str, int] = field(default_factory=dict)


def rows(settings: Settings) -> list[Row]:
    limits = settings.rate_limits
    longest_counter = max(throttle.PAIR_WINDOW_SECONDS, settings.throttle.window_seconds, limits.searches_seconds,
                          limits.api_reads_seconds, limits.previews_seconds)
    return [
        Row(N_("Your pseudonym, your password (only as an Argon2 hash, which nobody can read back), your language "
               "and reading choices."),
            N_("Until your account is erased.")),
        Row(N_("Your recovery codes, only as keyed hashes."),
            N_("Until you use them, make new ones, or your account is erased.")),
        Row(N_("New recovery codes, or the address of a diary share link you have just made, until the page that "
               "shows them: sealed with a key that only your browser holds."),
            N_("%(minutes)s minutes at most, and %(grace)s minutes once shown; then they are deleted."),
            {"minutes": reveal.UNSHOWN_SECONDS // 60, "grace": reveal.GRACE_SECONDS // 60}),
        Row(N_("Your sessions: a hash of each session's secret, the browser and system family (such as "
               "\"Firefox on Android\") and when it was last used."),
            N_("%(days)s days after it was last used and at most %(max)s days after you logged in, or until you "
               "log out or close it."),
            {"days": settings.session_days, "max": settings.session_max_days}),
        Row(N_("Your posts, their earlier versions, and what the moderators and the wording check noted about them."),
            N_("Until you delete them. When you ask for your account's erasure you choose: their text hidden at "
               "once and erased with the account, or kept signed \"former member\".")),
        Row(N_("Your diary (medication, doses, symptoms, notes). Private: shared only through links you make and "
               "can withdraw."),
            N_("Until you delete a day, or your account is erased.")),
        Row(N_("Your research consent and its history."),
            N_("Until your account is erased. Research exports are deleted %(days)s days after they are made."),
            {"days": settings.research.download_days}),
        Row(N_("A device cookie, left in your browser at each log-in: a random value and its signature. We keep "
               "only a keyed hash of it, which account it belongs to and when it expires: no address, no "
               "fingerprint. Your browser's log-in attempts are then counted apart, so someone guessing your "
               "password elsewhere cannot lock you out. It opens no session: logging out leaves it."),
            N_("%(days)s days after the log-in that left it, or until your account is erased."),
            {"days": settings.throttle.device_cookie_days}),
        Row(N_("Counters against abuse (log-in attempts, sign-ups, posts, searches, reading the API, the hints and "
               "pages suggested while you write): a keyed hash of part of your address, with a key that changes "
               "every day. Never the address itself."),
            N_("At most %(hours)s hours."), {"hours": -(-longest_counter // 3600)}),
        Row(N_("When an app sends a post with a retry key (Idempotency-Key): the key and the answer it got, so that "
               "the same request sent again does not post twice."),
            N_("%(hours)s hours, or until your account is erased."),
            {"hours": int(idempotency.WINDOW.total_seconds() // 3600)}),
        Row(N_("Your data download (a zip you ask for on the \"My data\" page)."),
            N_("%(days)s days after it is ready."), {"days": service.EXPORT_KEEP_DAYS}),
        Row(N_("An account you asked to delete."),
            N_("Erased for good %(days)s days after you asked; logging in before then cancels it."),
            {"days": service.ERASURE_GRACE_DAYS}),
    ]
