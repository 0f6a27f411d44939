"""What a re-plan's trigger did, in words: the line a dispatcher reads first.

Also which stops a late truck's re-plan looks at (those newly late against their promise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleetline.domain.live import ReplanTrigger, Risk, StopForecast
from fleetline.domain.snapshot import DaySnapshot, RemainingStop
from fleetline.operations.replan_options import carriers


def newly_late(stop: RemainingStop, forecasts: Mapping[str, StopForecast]) -> bool:
    """Forecast late although the plan served it within its promised window."""
    forecast = forecasts.get(stop.order_id)
    if forecast is None or forecast.risk is not Risk.LATE:
        return False
    promise = stop.promised_window
    return stop.planned_eta is not None and promise is not None and stop.planned_eta <= promise.end


def headline(
    trigger: ReplanTrigger,
    vehicle_id: str | None,
    focus: Sequence[RemainingStop],
    snapshot: DaySnapshot,
    forecasts: Mapping[str, StopForecast],
    unmet: bool,
    references: Mapping[str, str] | None = None,
) -> str:
    """What happened, in the line a dispatcher reads first.

    ``references`` are the orders' own references (what the dispatcher and the client
    call an order); an order without one is named by its id.
    """
    names = {run.vehicle_id: run.vehicle.name for run in snapshot.vehicles}
    zone = snapshot.now.tzinfo  # the company's, as the snapshot reads the day
    on = {o: names.get(v, v) for o, v in carriers(snapshot).items()}
    first = focus[0]
    if trigger is ReplanTrigger.WINDOW_CHANGE:
        window = first.time_windows[0]
        text = (
            f"Order {(references or {}).get(first.order_id) or first.order_id} on "
            f"{on.get(first.order_id, 'no truck')} has a new window "
            f"{window.start.astimezone(zone):%H:%M}-{window.end.astimezone(zone):%H:%M}"
        )
        return text + (": the plan cannot meet it" if unmet else "")
    n = len(focus)
    if trigger is ReplanTrigger.URGENT_ORDER:
        text = f"{n} new order{'s' if n != 1 else ''} for today"
        return text + (": no truck can serve them in time" if unmet else " to place")
    if trigger is ReplanTrigger.VEHICLE_LATE:
        late = [
            forecasts[s.order_id].lateness_s
            for s in focus
            if s.order_id in forecasts and forecasts[s.order_id].lateness_s > 0
        ]
        vehicle = names.get(vehicle_id or "", vehicle_id or "")
        if not late:
            return f"{vehicle} was running late; none of its {n} stops is past its window now"
        return (
            f"{vehicle} is running {round(max(late) / 60)} min late: "
            f"{len(late)} stop{'s' if len(late) != 1 else ''} past their window"
        )
    trucks = ", ".join(sorted({on[s.order_id] for s in focus if s.order_id in on}))
    return f"A road closure affects {n} stop{'s' if n != 1 else ''} of {trucks}"
