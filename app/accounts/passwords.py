"""argon2id hashing and the password policy."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.errors import ValidationFailed
from app.folding import fold
from app.i18n_markers import N_
from app.settings import Argon2Settings

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 handles long input, but a megabyte "password" is an attack


#: Words an attacker tries first against this forum (ASVS 5.0 V6.1.2, V6.2.11): its names and its
#: subject. A password that is little more than these (once they, digits and punctuation are taken
#: out, fewer than 4 letters are left) is refused. Folded: case and accents do not matter.
CONTEXT_WORDS = (
    "trefle", "klaver", "clover", "benzonet", "benzodiazepine", "benzodiazepines", "benzo", "benzos",
    "forum", "sevrage", "afbouw", "afbouwen", "taper", "tapering", "diazepam", "lormetazepam", "alprazolam",
    "lorazepam", "zolpidem", "zopiclone", "xanax", "valium", "stilnoct", "temesta", "password",
    "motdepasse", "wachtwoord",
)
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _mostly_context_words(lowered: str, pseudonym: str) -> bool:
    rest = fold(lowered)
    for word in sorted({*CONTEXT_WORDS, fold(pseudonym)} - {""}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len(_NOT_LETTERS.sub("", rest)) < 4


@cache
def hasher(params: Argon2Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost, memory_cost=params.memory_kib, parallelism=params.parallelism
    )


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most common passwords from real leaks.
    return frozenset(FREQUENCY_LISTS["passwords"])


def validate_password(password: str, *, pseudonym: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            N_("Your password needs at least %(min)s characters."), field="password", min=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(N_("This password is too long."), field="password")
    lowered = password.casefold()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        raise ValidationFailed(
            N_("This password is among the most common ones and easy to guess. Please choose another."),
            field="password",
        )
    if pseudonym and pseudonym.casefold() in lowered:
        raise ValidationFailed(N_("Your password must not contain your pseudonym."), field="password")
    if _mostly_context_words(lowered, pseudonym):
        raise ValidationFailed(
            N_("This password is mostly the forum's name or its subject, which is the first thing someone would "
               "try. Please choose another."), field="password")


def hash_password(params: Argon2Settings, password: str) -> str:
    return hasher(params).hash(password)


def verify_password(params: Argon2Settings, password_hash: str, password: str) -> bool:
    try:
        return hasher(params).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(params: Argon2Settings, password_hash: str) -> bool:
    return hasher(params).check_needs_rehash(password_hash)
