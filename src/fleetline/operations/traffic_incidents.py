"""The day's traffic incidents: reading them, and ending one before its planned end.

Reporting an incident is :func:`fleetline.operations.live_day.report_traffic_incident`;
this module reads the incidents of a day (the ones in force now, or all of them) and
ends one early, so that a road reopened sooner than expected stops slowing the ETAs at
the next refresh.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.live import TrafficIncident
from fleetline.operations.company import company_zone
from fleetline.operations.ports import UnitOfWork


def incidents_of_day(
    uow: UnitOfWork, day: date, now: datetime, active: bool | None = None
) -> list[TrafficIncident]:
    """The incidents in force at some moment of ``day`` (local to the company), oldest first.

    Parameters
    ----------
    uow
        Where the incidents are stored.
    day
        The local day asked for.
    now
        The clock's time, to tell incidents in force from the others.
    active
        ``True``: only those in force at ``now``; ``False``: only those not in force at
        ``now`` (ended, or not started yet); ``None``: all of the day's.
    """
    zone = company_zone(uow)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    found = uow.traffic.overlapping(start, end)
    if active is None:
        return found
    return [incident for incident in found if incident.active_at(now) is active]


def end_traffic_incident(
    command: commands.EndTrafficIncident, uow: UnitOfWork, context: Context
) -> TrafficIncident:
    """End an incident now; travel times and ETAs follow at the next refresh.

    Raises
    ------
    NotFound
        When there is no such incident.
    Conflict
        On ``ends_at`` when the incident has ended already; on ``starts_at`` when it has
        not started yet (it cannot end before it starts).
    """
    incident = uow.traffic.get(command.incident_id)
    if incident is None:
        raise NotFound("traffic incident", command.incident_id)
    now = context.clock.now()
    if incident.ends_at is not None and incident.ends_at <= now:
        raise Conflict(
            f"the incident ended already at {incident.ends_at.isoformat()}", field="ends_at"
        )
    if incident.starts_at >= now:
        raise Conflict(
            f"the incident starts only at {incident.starts_at.isoformat()}", field="starts_at"
        )
    ended = dataclasses.replace(incident, ends_at=now)
    uow.traffic.update(ended)
    uow.record(
        events.TrafficIncidentEnded(
            occurred_at=now, incident_id=incident.id, ended_at=now, by=command.by
        )
    )
    return ended
