"""argon2id hashing and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.errors import ValidationFailed
from app.i18n_markers import N_
from app.settings import Argon2Settings

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 handles long input, but a megabyte "password" is an attack


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


def hash_password(params: Argon2Settings, password: str) -> str:
    return hasher(params).hash(password)


def verify_password(params: Argon2Settings, password_hash: str, password: str) -> bool:
    try:
        return hasher(params).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(params: Argon2Settings, password_hash: str) -> bool:
    return hasher(params).check_needs_rehash(password_hash)
