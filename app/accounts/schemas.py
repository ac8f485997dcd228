from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.accounts import names, passwords


class AccountCreate(BaseModel):
    pseudonym: str = Field(min_length=names.MIN_LENGTH, max_length=names.MAX_LENGTH,
                           description="Letters, digits and _ - . ; at least one letter")
    password: str = Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH)
    locale: Literal["fr", "nl", "en"] | None = None  # None: the site's default locale
    form_token: str | None = Field(default=None, max_length=100, description=(
        "The `form_token` of `GET /api/v1/accounts/form-token`, sent at least `send_after_seconds` after it was "
        "given and within a day. Required while the server's sign-up time check is on (it is by default): "
        "without it, or sent too soon, the answer is 422 with `field` = `form_token`."))
    website: str = Field(default="", max_length=500, description=(
        "Honeypot: leave it out or empty. Any text in it refuses the sign-up (422, `field` = `website`): "
        "scripts that fill every field fill it."))


class SignupForm(BaseModel):
    """What a client needs to sign up through the API: the time check's token and the honeypot's name."""

    form_token: str = Field(description="Send it back as `form_token` with `POST /api/v1/accounts`.")
    send_after_seconds: int = Field(description="Sign-ups sent sooner after the token was given are refused.")
    expires_in_seconds: int = Field(description="After this, ask for a new token.")
    honeypot: str = Field(description="The name of the field that must stay empty.")


class AccountCreated(BaseModel):
    id: int
    pseudonym: str
    recovery_codes: list[str]


class SessionCreate(BaseModel):
    pseudonym: str = Field(max_length=200)
    password: str = Field(max_length=2048)


class SessionCreated(BaseModel):
    csrf_token: str
    pseudonym: str
    locale: str
    erasure_cancelled: bool = Field(default=False, description=(
        "true: the member had asked for their account's deletion, and this log-in (within the grace period) "
        "cancelled it; `message` says so in the request's language."))
    message: str = ""


class Me(BaseModel):
    id: int
    pseudonym: str
    role: str
    locale: str
    read_langs: list[str]
