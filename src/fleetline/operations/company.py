"""The company's time zone: what "today" is, and how local times are shown and read.

It is stored once for the company: taken from the first depot created, when it is
created, and changed only by an administrator (never by renaming or adding a depot).
Every reader of the company's day asks :func:`company_zone`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fleetline.bus import Context
from fleetline.clock import Clock
from fleetline.domain import commands, events
from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.domain.errors import Conflict
from fleetline.domain.model import Depot
from fleetline.domain.values import validate_timezone
from fleetline.operations.ports import UnitOfWork

NO_DEPOT_ZONE = "UTC"
"""The company's time zone before it has a depot, unless an administrator set one."""


def company_zone_setting(uow: UnitOfWork) -> CompanyZone:
    """The company's time zone and where it came from.

    Parameters
    ----------
    uow
        An open unit of work.

    Returns
    -------
    CompanyZone
        The stored zone; before any is stored, UTC (source ``NO_DEPOT``), or, for depots
        written to the store directly rather than created, the first one listed.
    """
    stored = uow.company.zone()
    if stored is not None:
        return stored
    depots = uow.depots.list()
    if depots:
        return CompanyZone(depots[0].timezone, ZoneSource.FIRST_DEPOT, depot_id=depots[0].id)
    return CompanyZone(NO_DEPOT_ZONE, ZoneSource.NO_DEPOT)


def company_zone(uow: UnitOfWork) -> ZoneInfo:
    """The time zone the company's day is counted in (see :func:`company_zone_setting`)."""
    return company_zone_setting(uow).zone


def company_today(uow: UnitOfWork, now: datetime) -> date:
    """The company's date at ``now`` (an aware moment, from the clock)."""
    return now.astimezone(company_zone(uow)).date()


def adopt_first_depot_zone(uow: UnitOfWork, depot: Depot, now: datetime) -> bool:
    """Store ``depot``'s zone as the company's when none is stored yet.

    Called when a depot is created, so the first depot created sets the company's zone
    and later depots (whatever their names) never change it.

    Returns
    -------
    bool
        ``True`` when the zone was stored (and a ``CompanyTimezoneChanged`` recorded).
    """
    adopted = CompanyZone(depot.timezone, ZoneSource.FIRST_DEPOT, depot_id=depot.id, changed_at=now)
    if not uow.company.set_zone_if_unset(adopted):
        return False
    uow.record(
        events.CompanyTimezoneChanged(
            occurred_at=now,
            timezone=depot.timezone,
            previous=None,
            source=ZoneSource.FIRST_DEPOT.value,
        )
    )
    return True


def first_dispatched_day(
    uow: UnitOfWork, today: date, trucks: Collection[str] | None = None
) -> date | None:
    """The first day from ``today`` on whose live plan routes stops, or ``None``.

    A time zone cannot change while such a day is left: its shifts and the windows
    promised to clients were read in the old zone, and would move by hours under the
    drivers' feet.

    Parameters
    ----------
    uow
        An open unit of work.
    today
        The local date from which days count (in the zone about to change).
    trucks
        Only routes of these vehicles count; every vehicle's when ``None``.
    """
    for day in uow.plans.live_days(today):
        live = uow.plans.live_for(day)
        if live is None:
            continue
        if any(r.stops and (trucks is None or r.vehicle_id in trucks) for r in live.routes):
            return day
    return None


def set_company_timezone(
    command: commands.SetCompanyTimezone, uow: UnitOfWork, context: Context
) -> CompanyZone:
    """Set the company's time zone; setting the zone it has changes nothing.

    Raises
    ------
    InvalidField
        On ``timezone`` when it is not an IANA time zone name.
    Conflict
        On ``timezone`` while a dispatched day, today or later, is left.
    """
    validate_timezone(command.timezone)
    current = company_zone_setting(uow)
    stored = uow.company.zone() is not None
    if stored and current.timezone == command.timezone:
        return current
    now = context.clock.now()
    if current.timezone != command.timezone:
        day = first_dispatched_day(uow, now.astimezone(current.zone).date())
        if day is not None:
            raise Conflict(
                f"trucks are dispatched for {day.isoformat()}: change the company's time "
                "zone when no dispatched day is left",
                field="timezone",
            )
    changed = CompanyZone(
        command.timezone, ZoneSource.ADMIN, changed_at=now, changed_by=command.by or None
    )
    uow.company.set_zone(changed)
    uow.record(
        events.CompanyTimezoneChanged(
            occurred_at=now,
            timezone=command.timezone,
            previous=current.timezone if stored else None,
            source=ZoneSource.ADMIN.value,
            by=command.by,
        )
    )
    return changed


class CompanyToday:
    """The company's date by the clock, its time zone read at most every ``max_age_s``.

    Every event and every read asks what "today" is; reading the zone from the store
    each time costs a transaction each. The zone is kept for ``max_age_s`` of real time
    (it changes once in a company's life, by an administrator), and forgotten at once
    when this process sees it change; the date itself always follows the clock.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    clock
        The clock the date is read from.
    max_age_s
        Seconds a zone read from the store is used for; another process's change of the
        zone is seen within this time.
    """

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, max_age_s: float = 5.0
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._zone: ZoneInfo | None = None
        self._read_at = 0.0

    def __call__(self) -> date:
        """Return the company's date now."""
        return self._clock.now().astimezone(self.zone()).date()

    def zone(self) -> ZoneInfo:
        """Return the company's time zone, from the store when the kept one is too old."""
        with self._lock:
            if self._zone is not None and time.monotonic() - self._read_at < self._max_age_s:
                return self._zone
        with self._uow_factory() as uow:
            zone = company_zone(uow)
        with self._lock:
            self._zone, self._read_at = zone, time.monotonic()
        return zone

    def forget(self, _event: object = None) -> None:
        """Read the zone from the store next time (on ``CompanyTimezoneChanged``)."""
        with self._lock:
            self._zone = None
