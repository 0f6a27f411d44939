"""What a manual edit of the live plan does: per route and stop, before and after.

The values :func:`~fleetline.operations.manual_edits.preview` returns and the consoles
and the API show: the constraints an edit breaks, and each edited route's lateness,
distance, end, overtime and load, before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fleetline.domain.live import Risk
from fleetline.domain.model import Plan


@dataclass(frozen=True, slots=True)
class Violation:
    """A constraint an edit breaks; ``hard`` ones make the edit impossible to apply."""

    field: str
    message: str
    hard: bool


@dataclass(frozen=True, slots=True)
class StopImpact:
    """One remaining stop of an edited route, before and after the edit."""

    order_id: str
    label: str
    client_name: str
    eta_before: datetime | None
    eta_after: datetime | None
    window_end: datetime | None
    risk_before: Risk | None
    risk_after: Risk | None
    moved_here: bool


@dataclass(frozen=True, slots=True)
class RouteImpact:
    """What an edit does to one truck's remaining route."""

    vehicle_id: str
    vehicle_name: str
    stops: tuple[StopImpact, ...]
    late_before: int
    late_after: int
    distance_before_m: int
    distance_after_m: int
    end_before: datetime | None
    end_after: datetime | None
    overtime_before_s: int
    overtime_after_s: int
    load_after: Mapping[str, int]
    capacity: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class EditPreview:
    """The impact of an edit on the live plan, and the constraints it breaks."""

    plan_id: str
    plan_version: int
    routes: tuple[RouteImpact, ...]
    violations: tuple[Violation, ...]
    sequences: Mapping[str, tuple[str, ...]]
    """The remaining sequence of every edited truck after the edit."""

    @property
    def allowed(self) -> bool:
        """Whether the edit breaks no hard constraint."""
        return not any(v.hard for v in self.violations)

    @property
    def late_before(self) -> int:
        """Late stops on the edited routes before the edit."""
        return sum(r.late_before for r in self.routes)

    @property
    def late_after(self) -> int:
        """Late stops on the edited routes after the edit."""
        return sum(r.late_after for r in self.routes)

    @property
    def extra_distance_m(self) -> int:
        """Metres the edited routes drive more (negative: less)."""
        return sum(r.distance_after_m - r.distance_before_m for r in self.routes)

    @property
    def extra_overtime_s(self) -> int:
        """Seconds of overtime the edit adds (negative: saves)."""
        return sum(r.overtime_after_s - r.overtime_before_s for r in self.routes)


@dataclass(frozen=True, slots=True)
class AppliedEdit:
    """The new live plan version an edit made, and the impact it was previewed with."""

    plan: Plan
    preview: EditPreview
