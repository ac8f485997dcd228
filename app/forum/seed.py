"""Seeding the default categories: idempotent, and an admin's later changes are never overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forum.models import Category, Visibility

CATEGORIES_FILE = Path(__file__).parent / "data" / "categories.toml"


def default_categories() -> list[dict[str, Any]]:
    with CATEGORIES_FILE.open("rb") as handle:
        return list(tomllib.load(handle)["category"])


def seed_categories(session: Session) -> list[Category]:
    seeded = []
    for position, data in enumerate(default_categories()):
        category = session.scalar(select(Category).where(Category.slug == data["slug"]))
        if category is not None:
            seeded.append(category)
            continue
        category = Category(slug=data["slug"])
        session.add(category)
        category.position = position
        category.clover = data.get("clover", "")
        category.visibility = Visibility(data.get("visibility", "public"))
        for key in ("name_fr", "name_nl", "name_en", "description_fr", "description_nl", "description_en"):
            setattr(category, key, data[key])
        seeded.append(category)
    session.flush()
    return seeded
