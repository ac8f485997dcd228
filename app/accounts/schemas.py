from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.accounts import names, passwords


class AccountCreate(BaseModel):
    pseudonym: str = Field(min_length=names.MIN_LENGTH, max_length=names.MAX_LENGTH,
                           description="Letters, digits and _ - . ; at least one letter")
    password: str = Field(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH)
    locale: Literal["fr", "nl", "en"] | None = None  # None: the site's default locale


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


class Me(BaseModel):
    id: int
    pseudonym: str
    role: str
    locale: str
    read_langs: list[str]
