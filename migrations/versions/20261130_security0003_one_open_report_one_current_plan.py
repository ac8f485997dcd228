"""review, diary: one open report per member and post, one current taper plan per member (partial unique indexes)

Requests sent at once used to store both (issue 9). Rows left by that bug are
folded before the indexes are built: a member's later duplicate open reports on
a post are merged into the first (their text appended, so moderators lose
nothing), and of several current plans only the latest version stays current.

Revision ID: security0003
Revises: speed0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "security0003"
down_revision = "speed0001"
branch_labels = None
depends_on = None

reports = sa.table("review_reports", sa.column("id", sa.Integer), sa.column("post_id", sa.Integer),
                   sa.column("reporter_id", sa.Integer), sa.column("outcome", sa.String), sa.column("text", sa.Text))
plans = sa.table("diary_plans", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                 sa.column("version", sa.Integer), sa.column("superseded_at", sa.DateTime(timezone=True)))

OPEN_REPORT = "outcome = '' AND reporter_id IS NOT NULL"
CURRENT_PLAN = "superseded_at IS NULL"


def _fold_duplicate_reports(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.select(reports.c.id, reports.c.post_id, reports.c.reporter_id, reports.c.text)
        .where(reports.c.outcome == "", reports.c.reporter_id.is_not(None)).order_by(reports.c.id)
    ).all()
    first: dict[tuple[int, int], tuple[int, list[str]]] = {}
    duplicates: list[int] = []
    for report_id, post_id, reporter_id, text in rows:
        key = (post_id, reporter_id)
        if key not in first:
            first[key] = (report_id, [text or ""])
            continue
        texts = first[key][1]
        if text and text not in texts:
            texts.append(text)
        duplicates.append(report_id)
    for kept_id, texts in first.values():
        if len(texts) > 1:
            merged = "\n\n".join(t for t in texts if t)
            bind.execute(sa.update(reports).where(reports.c.id == kept_id).values(text=merged))
    if duplicates:
        bind.execute(sa.delete(reports).where(reports.c.id.in_(duplicates)))


def _keep_one_current_plan(bind: sa.Connection) -> None:
    latest = (sa.select(plans.c.user_id, sa.func.max(plans.c.version).label("version"))
              .where(plans.c.superseded_at.is_(None)).group_by(plans.c.user_id)
              .having(sa.func.count() > 1).subquery())
    for user_id, version in bind.execute(sa.select(latest.c.user_id, latest.c.version)).all():
        bind.execute(sa.update(plans).where(plans.c.user_id == user_id, plans.c.superseded_at.is_(None),
                                            plans.c.version < version)
                     .values(superseded_at=dt.datetime.now(dt.UTC)))


def upgrade() -> None:
    bind = op.get_bind()
    _fold_duplicate_reports(bind)
    _keep_one_current_plan(bind)
    op.create_index("uq_review_reports_open_per_member", "review_reports", ["post_id", "reporter_id"], unique=True,
                    postgresql_where=sa.text(OPEN_REPORT), sqlite_where=sa.text(OPEN_REPORT))
    op.create_index("uq_diary_plans_current_per_member", "diary_plans", ["user_id"], unique=True,
                    postgresql_where=sa.text(CURRENT_PLAN), sqlite_where=sa.text(CURRENT_PLAN))


def downgrade() -> None:
    op.drop_index("uq_diary_plans_current_per_member", table_name="diary_plans")
    op.drop_index("uq_review_reports_open_per_member", table_name="review_reports")
