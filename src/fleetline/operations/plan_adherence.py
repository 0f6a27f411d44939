"""Plan adherence: how the day was served against the morning plan.

The planned day is the *morning plan*: the first version of the day that was dispatched
(the earliest ``dispatched_at``), the one drivers and clients were first given. Later
versions (re-plans, resolved exceptions, manual edits) are the day adapting, so they are
what is measured against it, never the reference.

Only served stops count: orders with a ``completed`` report. A stop's truck is the one
that reported it completed; its actual arrival is its ``arrived`` report (its
``completed`` report when the driver sent no arrival). Stops served that the morning plan
did not hold (orders added during the day) are counted apart and left out of the shares.

- **Sequence kept** (``sequence_kept_share``): for each truck, take the stops it served
  that the morning plan also had on that truck, in the order they were actually reached;
  of each consecutive pair, the pair is *kept* when the morning plan had the first one
  before the second. The share is kept pairs over all such pairs of all trucks. A truck
  that served its planned 1, 2, 3, 4 as 1, 3, 2, 4 keeps 2 of its 3 pairs.
- **Arrival against plan** (``arrival_diff_s_mean``, ``arrival_diff_s_median``): the
  absolute difference between the morning plan's arrival (its stop ``eta``) and the
  actual arrival; ``arrival_delay_s_mean`` is the signed mean (positive: later than
  planned).
- **Planned truck** (``on_planned_truck_share``): the share of served stops of the
  morning plan that the truck the morning plan gave them served.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fleetline.domain.live import StopEvent, StopEventType
from fleetline.domain.model import Plan


@dataclass(frozen=True, slots=True)
class PlanAdherence:
    """The day as served against its morning plan (see the module's definitions).

    Attributes
    ----------
    plan_id, plan_version
        The morning plan (``None`` when the day was never dispatched).
    stops_compared
        Served stops that the morning plan held.
    stops_added
        Served stops that the morning plan did not hold.
    sequence_pairs, sequence_kept
        Consecutive pairs of stops served on their planned truck, and those in planned
        order.
    sequence_kept_share
        ``sequence_kept / sequence_pairs``; ``None`` without pairs.
    arrival_diff_s_mean, arrival_diff_s_median
        Absolute seconds between planned and actual arrival.
    arrival_delay_s_mean
        Signed mean of actual minus planned arrival (positive: later than planned).
    on_planned_truck
        Compared stops served by the truck the morning plan gave them.
    on_planned_truck_share
        ``on_planned_truck / stops_compared``; ``None`` without compared stops.
    """

    plan_id: str | None
    plan_version: int | None
    stops_compared: int
    stops_added: int
    sequence_pairs: int
    sequence_kept: int
    sequence_kept_share: float | None
    arrival_diff_s_mean: float | None
    arrival_diff_s_median: float | None
    arrival_delay_s_mean: float | None
    on_planned_truck: int
    on_planned_truck_share: float | None


def served_by(reports: Sequence[StopEvent]) -> dict[str, str]:
    """Each served order's truck: the vehicle of its first ``completed`` report."""
    trucks: dict[str, str] = {}
    for report in sorted(reports, key=lambda r: (r.at, r.id)):
        if report.type is StopEventType.COMPLETED:
            trucks.setdefault(report.order_id, report.vehicle_id)
    return trucks


def plan_adherence(
    morning: Plan | None,
    reports: Sequence[StopEvent],
    arrivals: Mapping[str, datetime],
) -> PlanAdherence:
    """Measure how the served stops kept to the morning plan.

    Parameters
    ----------
    morning
        The first dispatched version of the day's plan, or ``None``.
    reports
        The day's stop reports.
    arrivals
        Each served order's actual arrival (``kpis.actual_arrivals``).

    Returns
    -------
    PlanAdherence
        Shares rounded to four decimals, seconds to one; ``None`` where nothing was
        measured.
    """
    trucks = served_by(reports)
    planned: dict[str, tuple[str, int, datetime]] = {}
    for route in morning.routes if morning else ():
        for stop in route.stops:
            planned[stop.order_id] = (route.vehicle_id, stop.sequence, stop.eta)
    compared = [o for o in trucks if o in planned and o in arrivals]
    kept_truck = [o for o in compared if trucks[o] == planned[o][0]]
    by_truck: dict[str, list[str]] = {}
    for order_id in kept_truck:
        by_truck.setdefault(trucks[order_id], []).append(order_id)
    pairs = kept = 0
    for served in by_truck.values():
        served.sort(key=lambda o: (arrivals[o], planned[o][1], o))
        for first, second in itertools.pairwise(served):
            pairs += 1
            kept += planned[first][1] < planned[second][1]
    delays = [(arrivals[o] - planned[o][2]).total_seconds() for o in compared]
    gaps = [abs(d) for d in delays]
    return PlanAdherence(
        plan_id=morning.id if morning else None,
        plan_version=morning.version if morning else None,
        stops_compared=len(compared),
        stops_added=sum(1 for o in trucks if o not in planned),
        sequence_pairs=pairs,
        sequence_kept=kept,
        sequence_kept_share=round(kept / pairs, 4) if pairs else None,
        arrival_diff_s_mean=round(statistics.fmean(gaps), 1) if gaps else None,
        arrival_diff_s_median=round(statistics.median(gaps), 1) if gaps else None,
        arrival_delay_s_mean=round(statistics.fmean(delays), 1) if delays else None,
        on_planned_truck=len(kept_truck),
        on_planned_truck_share=round(len(kept_truck) / len(compared), 4) if compared else None,
    )
