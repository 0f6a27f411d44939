"""Bodies of the planning endpoints: plan requests, imported routes, plan versions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from fleetline.api.schemas import ApiModel, TimeWindowBody


class ImportedStopIn(ApiModel):
    """A stop of a route made elsewhere."""

    order_id: str = Field(min_length=1, max_length=64)


class ImportedRouteIn(ApiModel):
    """A route made elsewhere, kept in its sequence."""

    vehicle_id: str = Field(min_length=1, max_length=64)
    stops: list[ImportedStopIn] = Field(max_length=1000)


class PlanRequest(ApiModel):
    """Ask for a plan of a day; with ``routes``, import a plan made elsewhere as it is."""

    date: date
    time_limit_s: float | None = Field(default=None, gt=0, le=3600, allow_inf_nan=False)
    routes: list[ImportedRouteIn] | None = Field(default=None, max_length=1000)


class PlanAccepted(ApiModel):
    """A plan version that is being solved (or was imported)."""

    id: str
    status: str
    version: int


class StopOut(ApiModel):
    """A planned stop."""

    stop_id: str
    order_id: str
    sequence: int
    eta: datetime
    service_start: datetime
    departure: datetime
    time_windows: list[TimeWindowBody]
    load_after: dict[str, int]


class RouteOut(ApiModel):
    """A vehicle's route in a plan."""

    vehicle_id: str
    stops: list[StopOut]
    start_at: datetime
    end_at: datetime
    distance_m: int
    duration_s: int
    load: dict[str, int]
    overtime_s: int
    cost: float


class UnassignedOut(ApiModel):
    """An order the plan leaves out, and why."""

    order_id: str
    reason_code: str
    reason: str


class PlanWarningOut(ApiModel):
    """Something to check in a plan, e.g. ``off_network``: an address far from any road."""

    order_id: str
    code: str
    message: str


class PlanOut(ApiModel):
    """A plan version."""

    id: str
    date: date
    version: int
    status: str
    source: str
    live: bool
    created_at: datetime
    dispatched_at: datetime | None
    parent_id: str | None
    error: str | None
    routes: list[RouteOut]
    unassigned: list[UnassignedOut]
    warnings: list[PlanWarningOut]
    distance_m: int
    cost: float


class PlanSummary(ApiModel):
    """A plan version without its routes."""

    id: str
    date: date
    version: int
    status: str
    source: str
    live: bool
    created_at: datetime
    routes: int
    unassigned: int
    distance_m: int
