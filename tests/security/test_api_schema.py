"""schemathesis against /api/v1/openapi.json: no 5xx, and every response matches the published schema.

Examples are bounded (SCHEMATHESIS_EXAMPLES per operation, default 12) so the
run stays short on two cores. A member is logged in and sends the CSRF header,
so authorised operations reach their services, not only the 401.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from tests.factories import make_category, make_thread, make_user

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


def _fresh_session(app, user_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A new session for every example: an example may have logged the last one out (DELETE /session)."""
    from app.accounts.models import User
    from app.accounts.service import open_session
    from app.security import csrf_token_for

    with app.state.db.session() as s:
        user = s.get(User, user_id)
        token = open_session(s, app.state.settings, user=user)
        s.commit()
    return {"X-CSRF-Token": csrf_token_for(app.state.secret, token), "Cookie": f"tk_session={token}"}


@pytest.fixture
def member(session: Session) -> int:
    author = make_user(session, "Schema")
    make_thread(session, category=make_category(session, "general"), author=author)
    user_id = author.id
    session.commit()
    return user_id


@pytest.mark.slow
def test_the_api_keeps_its_published_contract(app, member: int) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    calls = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            calls[0] += 1
            # Business rules a schema cannot say (a pseudonym's letters, a date in the future) answer 422:
            # "schema-valid data accepted" is not asked; everything else is.
            case.call_and_validate(headers=_fresh_session(app, member),
                                   excluded_checks=[schemathesis.checks.positive_data_acceptance])

        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - every operation is tried, all failures reported together
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    print(f"\nschemathesis: {operations} operations, {calls[0]} examples")
    assert operations >= 20
    for failure in failures:
        print(failure, end="\n\n")
    assert not failures, f"{len(failures)} operations break their contract (printed above)"
