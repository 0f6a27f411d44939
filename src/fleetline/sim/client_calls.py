"""Simulated clients calling in: the windows they were promised, and the calls they place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fleetline.sim.client import FleetApi
from fleetline.sim.inquiries import Clients
from fleetline.sim.truck import SimStop


def note_promised_windows(
    clients: Clients, live: Mapping[str, Any], stops: Mapping[str, SimStop]
) -> None:
    """The window each client was promised: the live plan's at the day's first look.

    A stop the live plan does not show keeps its order's windows as the promise.
    """
    for vehicle in live["vehicles"]:
        for stop in vehicle["remaining"]:
            window, known = stop.get("window"), stops.get(stop["order_id"])
            if window and known is not None:
                start, end = window["start"], window["end"]
                clients.promise(
                    known.order_id,
                    known.reference,
                    datetime.fromisoformat(start),
                    datetime.fromisoformat(end),
                )
    for known in sorted(stops.values(), key=lambda s: s.reference):
        clients.promise(known.order_id, known.reference, known.windows[0][0], known.windows[-1][1])


def place_due_calls(
    api: FleetApi,
    clients: Clients,
    now: datetime,
    arrived: Mapping[str, datetime],
    *,
    set_time: Callable[[datetime], None],
    after: datetime | None = None,
) -> None:
    """Clients whose rule fired by ``now`` decide whether to call; calls are logged.

    Parameters
    ----------
    api
        The system's API (the notifications each client was sent, and the inquiry log).
    clients
        The simulated clients.
    now
        The simulated moment.
    arrived
        When each truck reported arriving at an order's stop, by order id.
    set_time
        Moves the system's clock.
    after
        When given (the calls left after the day's loop stopped then), a call after it
        moves the system's clock to the call first.
    """
    for order_id, rule, moment in clients.due(now, arrived):
        messages = api.need("GET", "/api/v1/notifications", order_id=order_id)
        call = clients.answer(order_id, rule, moment, messages)
        if not call.called:
            continue
        if after is not None and moment > after:
            set_time(moment)
        note = (
            f"simulated client: {rule} ({'told' if call.told else 'not told'}), "
            f"called at {moment:%H:%M}"
        )
        api.need(
            "POST",
            f"/api/v1/orders/{order_id}/inquiries",
            {"channel": clients.model.channel, "note": note},
        )
