"""Pauses in a taper plan: stay longer at a step, later steps move later, no dose changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, ClassVar, Protocol, TypeVar

from app.diary.planner import PlanError

HOLD_RANGE = (1, 365)


class HeldStep(Protocol):
    """Any step record a hold can move: the planner's Step, or a stored plan's StepView."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def index(self) -> int: ...

    @property
    def date(self) -> date: ...

    @property
    def hold_days(self) -> int: ...


S = TypeVar("S", bound=HeldStep)


def hold_steps(steps: Sequence[S], step_index: int, days: int) -> tuple[S, ...]:
    """Stay ``days`` longer at a step: later steps move later, no dose changes."""
    if not 0 <= step_index < len(steps):
        raise PlanError("hold_step_out_of_range")
    if isinstance(days, bool) or not isinstance(days, int) or not HOLD_RANGE[0] <= days <= HOLD_RANGE[1]:
        raise PlanError("hold_days_out_of_range")
    shift = timedelta(days=days)
    return tuple(
        replace(s, hold_days=s.hold_days + days) if s.index == step_index
        else replace(s, date=s.date + shift) if s.index > step_index
        else s
        for s in steps
    )
