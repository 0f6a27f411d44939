"""The fleet list: every truck with status, progress, load, lateness and next arrival."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from nicegui import events, ui

from fleetline.domain.live import StopForecast
from fleetline.domain.model import OrderState
from fleetline.domain.snapshot import VehicleRun
from fleetline.ui.dispatch.map_state import STATUS_WORDS, first_name

UNITS = {"weight_kg": "kg", "pallets": "pallets", "volume_l": "l"}


def load_share(on_board: Mapping[str, int], capacity: Mapping[str, int]) -> tuple[float, str]:
    """How full a truck is: its fullest dimension's share, and that as words.

    Returns
    -------
    tuple
        The share (0 to 1 and more when overloaded) and e.g. ``"340 / 8000 kg"``.
    """
    best: tuple[float, str] = (0.0, "empty")
    for dimension, limit in capacity.items():
        if limit <= 0:
            continue
        used = on_board.get(dimension, 0)
        share = used / limit
        if share > best[0] or best[1] == "empty":
            unit = UNITS.get(dimension, dimension.replace("_", " "))
            best = (share, f"{used:,} / {limit:,} {unit}")
    return best


def fleet_row(run: VehicleRun, forecasts: Mapping[str, StopForecast]) -> dict[str, Any]:
    """One truck as a row of the fleet list (numbers raw, so that columns sort right)."""
    own = [forecasts[s.order_id] for s in run.remaining if s.order_id in forecasts]
    share, load_text = load_share(run.on_board, run.vehicle.capacity)
    zone = run.depot.zone
    serving = bool(run.remaining) and run.remaining[0].state is OrderState.ARRIVED
    next_eta = own[0].eta.astimezone(zone).strftime("%H:%M") if own else "—"
    if serving:
        next_eta = f"at a stop since {next_eta}"
    return {
        "id": run.vehicle_id,
        "truck": run.vehicle.name,
        "driver": first_name(run.driver_name),
        "status": STATUS_WORDS.get(run.status.value, run.status.value),
        "status_key": run.status.value,
        "done": len(run.completed) + len(run.failed),
        "remaining": len(run.remaining),
        "load_pct": round(100 * share),
        "load_text": load_text,
        "lateness_min": round(max((f.lateness_s for f in own), default=0) / 60),
        "late_stops": sum(1 for f in own if f.risk.value == "late"),
        "next_eta": next_eta,
    }


COLUMNS: list[dict[str, Any]] = [
    {"name": "truck", "label": "Truck", "field": "truck", "sortable": True, "align": "left"},
    {"name": "driver", "label": "Driver", "field": "driver", "sortable": True, "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "sortable": True, "align": "left"},
    {
        "name": "stops",
        "label": "Done / left",
        "field": "remaining",
        "sortable": True,
        ":format": "(v, row) => row.done + ' / ' + v",
    },
    {
        "name": "load",
        "label": "Load",
        "field": "load_pct",
        "sortable": True,
        ":format": "v => v + '%'",
    },
    {
        "name": "lateness",
        "label": "Lateness",
        "field": "lateness_min",
        "sortable": True,
        ":format": "v => v > 0 ? '+' + v + ' min' : 'on time'",
    },
    {"name": "next_eta", "label": "Next ETA", "field": "next_eta", "sortable": True},
]

_STATUS_SLOT = r"""
<q-td :props="props">
  <q-badge :color="{on_duty: 'green-8', delayed: 'amber-9', broken_down: 'red-9',
                    off_duty: 'grey-7'}[props.row.status_key]" :label="props.value" />
</q-td>
"""
_LOAD_SLOT = r"""
<q-td :props="props" :title="props.row.load_text">
  {{ props.value }}<q-tooltip>{{ props.row.load_text }}</q-tooltip>
</q-td>
"""
_LATENESS_SLOT = r"""
<q-td :props="props" :class="props.row.lateness_min > 0 ? 'text-negative text-weight-bold' : ''">
  {{ props.value }}
</q-td>
"""


class FleetList:
    """The fleet table; clicking a row selects that truck.

    Parameters
    ----------
    on_select
        Called with the vehicle id of the clicked truck.
    """

    def __init__(self, on_select: Callable[[str], object]) -> None:
        self._rows: list[dict[str, Any]] = []
        self.table = (
            ui.table(columns=COLUMNS, rows=[], row_key="id", pagination=0)
            .props("dense flat bordered hide-bottom")
            .classes("w-full fl-fleet")
        )
        self.table.add_slot("body-cell-status", _STATUS_SLOT)
        self.table.add_slot("body-cell-load", _LOAD_SLOT)
        self.table.add_slot("body-cell-lateness", _LATENESS_SLOT)

        async def clicked(event: events.GenericEventArguments) -> None:
            row = event.args[1] if len(event.args) > 1 else None
            if isinstance(row, dict) and "id" in row:
                outcome = on_select(str(row["id"]))
                if inspect.isawaitable(outcome):
                    await outcome

        self.table.on("rowClick", clicked)

    def show(self, rows: list[dict[str, Any]]) -> None:
        """Show ``rows`` (sends nothing when they did not change)."""
        if rows != self._rows:
            self._rows = rows
            self.table.rows = rows
            self.table.update()
