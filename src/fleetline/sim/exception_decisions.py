"""The simulated dispatcher's decisions on the day's open exceptions, over the API."""

from __future__ import annotations

from datetime import datetime

from fleetline.sim.client import FleetApi
from fleetline.sim.disruptions import Dispatcher
from fleetline.sim.modes import OperatorModel

RETRIES = 3
"""Rounds a dispatcher tries again when every option it wants was refused (stale)."""


def decide_due_exceptions(
    api: FleetApi,
    dispatcher: Dispatcher,
    day: str,
    now: datetime,
    operator: OperatorModel | None = None,
) -> bool:
    """Resolve (or dismiss) each open exception whose decision is due; whether a plan changed.

    Parameters
    ----------
    api
        The system's API.
    dispatcher
        Who decides when, and the decisions so far (closed ones are marked decided).
    day
        The day, ISO format.
    now
        The simulated moment.
    operator
        Which options the operator tries, in order; the options by rank when not given.

    Returns
    -------
    bool
        Whether an option was applied (the live plan changed).
    """
    found = api.need("GET", "/api/v1/exceptions", status="open", date=day)
    still_open = {e["id"] for e in found}
    for decision in dispatcher.decisions.values():
        if decision.decided_at is None and decision.exception_id not in still_open:
            decision.decided_at = now  # closed by the system itself (an auto policy)
    changed = False
    for exception in dispatcher.due(found, now):
        path = f"/api/v1/exceptions/{exception['id']}"
        chosen = None
        if operator is not None:
            options = operator.options_to_try(exception)
        else:
            options = sorted(exception["options"], key=lambda o: o["rank"])
        for option in options:
            if api.report("POST", f"{path}/resolve", {"option_id": option["id"]}):
                chosen = option["summary"]
                break
        decision = dispatcher.decisions[exception["id"]]
        if chosen is None and options and decision.attempts < RETRIES:
            decision.attempts += 1  # stale options are computed again: try next round
            continue
        if chosen is None:
            api.report("POST", f"{path}/dismiss")
        changed = changed or chosen is not None
        dispatcher.decided(exception, now, chosen)
    return changed
