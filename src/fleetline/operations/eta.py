"""The ETA engine: when each truck reaches each remaining stop, and how that stands.

One pass over a :class:`~fleetline.domain.snapshot.DaySnapshot` predicts, for every
remaining stop of every working vehicle, its arrival (``eta``), when service starts (after
waiting for the time window if early), when the truck leaves, and the risk against the
window the client was promised. Every face reads these same forecasts.

How a route is driven
---------------------
- A truck leaves its last known position at ``snapshot.now`` (not before its shift
  starts). Its position is taken as current: no dead reckoning from an old ping.
- A truck already serving its first stop (state ``arrived``) is assumed to have started
  that service at ``position_at`` (its last ping, usually sent on arrival), or at ``now``
  if there is none; it leaves when the service ends, and never before ``now``: a stop not
  yet reported completed still holds the truck.
- Each leg takes the provider's duration for a departure in the leg's hour, times the
  driver's ``pace``. At a stop the truck serves in the first of the stop's windows that
  has not ended at arrival, waiting for it to open if early; then it serves for
  ``service_s`` and goes on. Service times are not scaled by pace.
- A ``delayed`` vehicle is driven like any other: its lateness shows through its
  position and pace.

Risk
----
A stop is judged on its arrival against the window promised to the client (else the
envelope of its windows, else the vehicle's shift): ``slack_s`` is the window's end minus
the ETA; below zero it is ``LATE``, below ``at_risk_margin_s`` ``AT_RISK``, else
``ON_TIME``. Waiting for an early window is not a risk. The stop being served has the
assumed arrival (in the past) as its ETA.

Vehicles that do not move
-------------------------
A broken-down or off-duty vehicle has no honest ETA: inventing one (``now`` plus a guess)
would show a dispatcher and a client a time nobody believes. Its stops are left out of the
forecasts and listed in :attr:`FleetForecast.no_eta` with the reason, for the caller to
flag. So are the stops after a leg the road network cannot drive.

Asking for travel times
-----------------------
Matrices are asked at the hour of ``now`` and legs leaving in later hours are scaled by
the provider's own ratio between the hours (see :mod:`fleetline.operations.eta_legs`):
about one call per vehicle per refresh, answered from memory by a caching provider.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime

from fleetline.domain.live import Risk, StopForecast, VehicleStatus
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import UNREACHABLE, TravelTimes
from fleetline.operations.eta_legs import Clock, RefreshLegs, start_offset

DEFAULT_AT_RISK_MARGIN_S = 900
"""A stop predicted within this many seconds of its promised window's end is at risk."""

DEPARTURE_STEP_S = 3600
"""Departures are grouped by this step (whole hours of UTC time) when asking for times."""


class NoEta(enum.StrEnum):
    """Why a remaining stop has no forecast."""

    BROKEN_DOWN = "broken_down"
    OFF_DUTY = "off_duty"
    UNREACHABLE = "unreachable"


STALLED_STATUSES: dict[VehicleStatus, NoEta] = {
    VehicleStatus.BROKEN_DOWN: NoEta.BROKEN_DOWN,
    VehicleStatus.OFF_DUTY: NoEta.OFF_DUTY,
}
"""Vehicle statuses under which a truck does not move, and the reason its stops show."""


@dataclass(frozen=True, slots=True)
class FleetForecast:
    """Forecasts of every remaining stop that has one, and why the others have none.

    Attributes
    ----------
    stops
        Order id to forecast, for stops of vehicles that are moving.
    no_eta
        Order id to the reason it has no forecast (vehicle broken down or off duty, or a
        leg the road network cannot drive).
    """

    stops: dict[str, StopForecast]
    no_eta: dict[str, NoEta]


def forecast(
    snapshot: DaySnapshot,
    travel_times: TravelTimes,
    *,
    at_risk_margin_s: int = DEFAULT_AT_RISK_MARGIN_S,
    departure_step_s: int = DEPARTURE_STEP_S,
) -> dict[str, StopForecast]:
    """Predict the arrival and risk of every remaining stop of every moving vehicle.

    Parameters
    ----------
    snapshot
        The live day at ``snapshot.now``.
    travel_times
        Durations between locations for a departure time.
    at_risk_margin_s
        A stop predicted less than this before its promised window ends is at risk.
    departure_step_s
        Width (seconds) of the departure-time groups over which the provider's
        time-of-day ratio is taken; an hour, as crow-flies speeds change by the hour.

    Returns
    -------
    dict of str to StopForecast
        Keyed by order id. Stops of broken-down or off-duty vehicles are absent: see
        :func:`forecast_fleet` for the reasons.
    """
    return forecast_fleet(
        snapshot,
        travel_times,
        at_risk_margin_s=at_risk_margin_s,
        departure_step_s=departure_step_s,
    ).stops


def forecast_fleet(
    snapshot: DaySnapshot,
    travel_times: TravelTimes,
    *,
    at_risk_margin_s: int = DEFAULT_AT_RISK_MARGIN_S,
    departure_step_s: int = DEPARTURE_STEP_S,
) -> FleetForecast:
    """Predict every remaining stop, and list the stops that cannot be predicted.

    Parameters
    ----------
    snapshot
        The live day at ``snapshot.now``.
    travel_times
        Durations between locations for a departure time.
    at_risk_margin_s
        A stop predicted less than this before its promised window ends is at risk.
    departure_step_s
        Width (seconds) of the departure-time groups over which the provider's
        time-of-day ratio is taken; an hour, as crow-flies speeds change by the hour.

    Returns
    -------
    FleetForecast
        The forecasts, and the stops without one with the reason.

    Raises
    ------
    ValueError
        If ``snapshot.now`` carries no UTC offset, or a margin or step is not positive.
    """
    now = snapshot.now
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("snapshot.now must carry a UTC offset")
    if at_risk_margin_s < 0:
        raise ValueError("at_risk_margin_s must not be negative")
    if departure_step_s < 1:
        raise ValueError("departure_step_s must be at least 1 second")

    no_eta: dict[str, NoEta] = {}
    moving: list[VehicleRun] = []
    for run in snapshot.vehicles:
        reason = STALLED_STATUSES.get(run.status)
        if reason is not None:
            no_eta.update((stop.order_id, reason) for stop in run.remaining)
        elif run.remaining:
            moving.append(run)

    clock = Clock(now, departure_step_s)
    legs = RefreshLegs(travel_times, clock, moving)
    stops: dict[str, StopForecast] = {}
    for run in moving:
        _drive(run, legs, clock, at_risk_margin_s, stops, no_eta)
    return FleetForecast(stops=stops, no_eta=no_eta)


def _drive(
    run: VehicleRun,
    legs: RefreshLegs,
    clock: Clock,
    margin_s: int,
    out: dict[str, StopForecast],
    no_eta: dict[str, NoEta],
) -> None:
    """Drive ``run``'s remaining stops in order and write their forecasts into ``out``."""
    pace = run.pace if math.isfinite(run.pace) and run.pace > 0 else 1.0
    stops = run.remaining
    between = legs.stops(run) if len(stops) > 1 else None
    first_leg = legs.first.get(run.vehicle_id)
    departure = 0.0
    for i, stop in enumerate(stops):
        if first_leg is None and i == 0:  # being served now: started at the last ping
            started = run.position_at if run.position_at is not None else clock.now
            arrival = service_start = min(0.0, clock.offset(started))
            departure = max(0.0, service_start + stop.service_s)
        else:
            if i == 0 and first_leg is not None:
                departure, drive = start_offset(run, clock), first_leg
            else:
                assert between is not None
                drive = float(between[i - 1, i])
            if drive >= UNREACHABLE:
                no_eta.update((later.order_id, NoEta.UNREACHABLE) for later in stops[i:])
                return
            arrival = departure + drive * legs.factor(departure) * pace
            service_start = _service_start(stop, arrival, clock)
            departure = service_start + stop.service_s
        out[stop.order_id] = _stop_forecast(
            run, i, stop, arrival, service_start, departure, clock, margin_s
        )


def _service_start(stop: RemainingStop, arrival: float, clock: Clock) -> float:
    """When the driver starts serving a stop reached at ``arrival``.

    A stop with a promised window is served at the promise's opening if the truck is early
    and on arrival within it. Past the promise the driver delivers late, unless a later window
    of the client's opens sooner than the delay already is: a few minutes past the promise he
    does not wait hours for the next window. Without a promise, service starts on arrival or
    at the opening of the first window not yet ended at arrival, if later.
    """
    promise = stop.promised_window
    if promise is not None:
        promise_end = clock.offset(promise.end)
        if arrival <= promise_end:
            return max(arrival, clock.offset(promise.start))
        later = [clock.offset(w.start) for w in stop.time_windows]
        opens = min((start for start in later if start > arrival), default=None)
        late_by = arrival - promise_end
        return opens if opens is not None and opens - arrival < late_by else arrival
    windows = stop.time_windows
    if len(windows) > 1:
        windows = tuple(sorted(windows, key=lambda w: w.start))
    for window in windows:
        if clock.offset(window.end) >= arrival:
            return max(arrival, clock.offset(window.start))
    return arrival  # every window has passed (or none given): served on arrival


def promised_window(stop: RemainingStop, run: VehicleRun) -> tuple[datetime, datetime]:
    """Return the window a stop is judged against.

    Parameters
    ----------
    stop
        The remaining stop.
    run
        Its vehicle's run, whose shift stands in for a stop without windows.

    Returns
    -------
    tuple of datetime
        The promised window if one was given, else the envelope of the stop's windows
        (earliest start, latest end), else the vehicle's shift.
    """
    if stop.promised_window is not None:
        return stop.promised_window.start, stop.promised_window.end
    if stop.time_windows:
        return (
            min(w.start for w in stop.time_windows),
            max(w.end for w in stop.time_windows),
        )
    return run.shift_start, run.shift_end


def classify(slack_s: int, at_risk_margin_s: int = DEFAULT_AT_RISK_MARGIN_S) -> Risk:
    """Return the risk of a stop from its slack to the promised window's end.

    Parameters
    ----------
    slack_s
        Window end minus predicted arrival, in seconds (negative when late).
    at_risk_margin_s
        Slack below which an on-time stop counts as at risk.

    Returns
    -------
    Risk
        ``LATE`` below zero, ``AT_RISK`` below the margin, else ``ON_TIME``.
    """
    if slack_s < 0:
        return Risk.LATE
    if slack_s < at_risk_margin_s:
        return Risk.AT_RISK
    return Risk.ON_TIME


def _stop_forecast(
    run: VehicleRun,
    sequence: int,
    stop: RemainingStop,
    arrival: float,
    service_start: float,
    departure: float,
    clock: Clock,
    margin_s: int,
) -> StopForecast:
    eta = clock.at(arrival)
    window_start, window_end = promised_window(stop, run)
    slack_s = math.floor((window_end - eta).total_seconds())
    return StopForecast(
        order_id=stop.order_id,
        vehicle_id=run.vehicle_id,
        sequence=sequence,
        eta=eta,
        service_start=clock.at(service_start),
        departure=clock.at(departure),
        window_start=window_start,
        window_end=window_end,
        risk=classify(slack_s, margin_s),
        slack_s=slack_s,
    )
