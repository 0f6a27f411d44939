"""The form of a vehicle, to add one or change one: capacity, shift, skills, costs, service.

Checked before it is sent with the domain's rules for a vehicle; a change sends only the
fields that changed (``UpdateVehicle``), a new vehicle a ``CreateVehicle``.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import time
from typing import Any

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.model import LOAD_DIMENSIONS, Depot, Vehicle, VehicleCosts
from fleetline.ui.admin.common import CLOCK, FieldErrors, send_form, text_of

DIMENSION_LABELS = {
    "weight_kg": "Weight (kg)",
    "volume_m3": "Volume (m³)",
    "pallets": "Pallets",
    "parcels": "Parcels",
    "crates": "Crates",
}
COST_LABELS = {
    "per_km": ("Per km", 1000.0),
    "per_hour": ("Per hour", 10000.0),
    "overtime_per_hour": ("Overtime per hour", 10000.0),
    "fixed": ("Fixed per day", 1_000_000.0),
}
MAX_SKILLS = 20
MAX_OVERTIME_MIN = 12 * 60


class VehicleForm:
    """A dialog with a vehicle's fields; ``on_saved`` is called with the stored vehicle.

    Parameters
    ----------
    depots
        The depots a new vehicle may belong to.
    vehicle
        The vehicle to change; ``None`` to add one.
    on_saved
        Called after the command was handled (the list refreshes).
    """

    def __init__(
        self,
        depots: tuple[Depot, ...],
        vehicle: Vehicle | None,
        on_saved: Callable[[Vehicle], Awaitable[None]],
    ) -> None:
        self.vehicle = vehicle
        self.on_saved = on_saved
        costs = vehicle.costs if vehicle else VehicleCosts()
        self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().classes("fl-form-card").props('data-testid="vehicle-form"'):
            title = f"Edit {vehicle.name}" if vehicle else "Add a vehicle"
            ui.label(title).classes("text-h6")
            with ui.element("div").classes("fl-form-grid"):
                self.name = _input("Name", vehicle.name if vehicle else "", "vehicle-name")
                self.depot = (
                    ui.select(
                        {d.id: d.name for d in depots},
                        label="Depot",
                        value=vehicle.depot_id if vehicle else (depots[0].id if depots else None),
                    )
                    .props('outlined dense aria-label="Depot" data-testid="vehicle-depot"')
                    .classes("w-full")
                )
                if vehicle:
                    self.depot.disable()
                self.shift_start = _input(
                    "Shift starts (HH:MM)",
                    vehicle.shift_start.strftime("%H:%M") if vehicle else "07:00",
                    "vehicle-shift-start",
                ).props('mask="##:##"')
                self.shift_end = _input(
                    "Shift ends (HH:MM)",
                    vehicle.shift_end.strftime("%H:%M") if vehicle else "16:00",
                    "vehicle-shift-end",
                ).props('mask="##:##"')
            ui.label("Capacity (leave a dimension empty if it is not counted)").classes(
                "text-subtitle2 q-mt-sm"
            )
            self.capacity: dict[str, ui.number] = {}
            with ui.element("div").classes("fl-form-grid fl-pairs"):
                for dimension in LOAD_DIMENSIONS:
                    amount = vehicle.capacity.get(dimension) if vehicle else None
                    self.capacity[dimension] = _number(
                        DIMENSION_LABELS.get(dimension, dimension),
                        amount,
                        f"vehicle-capacity-{dimension}",
                    )
            self.skills = (
                ui.input_chips(
                    "Skills (type one, then Enter)",
                    value=sorted(vehicle.skills) if vehicle else [],
                    new_value_mode="add-unique",
                    clearable=True,
                )
                .props('outlined dense aria-label="Skills"')
                .classes("w-full q-mt-sm")
            )
            ui.label("Costs").classes("text-subtitle2 q-mt-sm")
            self.costs: dict[str, ui.number] = {}
            with ui.element("div").classes("fl-form-grid fl-pairs"):
                for name, (label, _limit) in COST_LABELS.items():
                    self.costs[name] = _number(label, getattr(costs, name), f"vehicle-cost-{name}")
                self.overtime = _number(
                    "Most overtime (minutes)",
                    (vehicle.max_overtime_s if vehicle else 7200) // 60,
                    "vehicle-overtime",
                )
            self.active = ui.switch(
                "In service (planned)", value=vehicle.active if vehicle else True
            )
            self.active.props('aria-label="In service"')
            if vehicle is None:
                self.active.set_visibility(False)
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.save = ui.button("Save", icon="save", on_click=self.submit).props(
                    'unelevated color=primary no-caps data-testid="vehicle-save"'
                )
        widgets: dict[str, Any] = {
            "name": self.name,
            "depot_id": self.depot,
            "shift_start": self.shift_start,
            "shift_end": self.shift_end,
            "skills": self.skills,
            "max_overtime_s": self.overtime,
            "capacity": self.capacity["pallets"],
        }
        widgets.update({f"capacity.{d}": w for d, w in self.capacity.items()})
        widgets.update({f"costs.{c}": w for c, w in self.costs.items()})
        self.errors = FieldErrors(widgets, general)

    def open(self) -> None:
        """Show the dialog."""
        self.dialog.open()

    def _checked(self) -> dict[str, Any] | None:
        """The form's values in the domain's terms, or ``None`` with errors shown."""
        self.errors.clear()
        ok = True
        name = text_of(self.name)
        if not name:
            self.errors.show("name", "Give the vehicle a name.")
            ok = False
        elif len(name) > 200:
            self.errors.show("name", "At most 200 characters.")
            ok = False
        if not self.depot.value:
            self.errors.show("depot_id", "Choose the depot.")
            ok = False
        shift: dict[str, time] = {}
        for field, box in (("shift_start", self.shift_start), ("shift_end", self.shift_end)):
            text = text_of(box)
            if not CLOCK.match(text):
                self.errors.show(field, "A time of day as HH:MM, e.g. 07:30.")
                ok = False
            else:
                shift[field] = time.fromisoformat(text)
        if len(shift) == 2 and shift["shift_end"] <= shift["shift_start"]:
            self.errors.show("shift_end", "The shift must end after it starts.")
            ok = False
        capacity: dict[str, int] = {}
        for dimension, widget in self.capacity.items():
            value = widget.value
            if value is None or value == "":
                continue
            if not _whole(value) or value < 0:
                self.errors.show(f"capacity.{dimension}", "A whole number from 0.")
                ok = False
                continue
            capacity[dimension] = int(value)
        if ok and not capacity:
            self.errors.show("capacity.pallets", "Give at least one capacity.")
            ok = False
        skills = [str(s).strip() for s in self.skills.value or [] if str(s).strip()]
        if len(skills) > MAX_SKILLS or any(len(s) > 50 for s in skills):
            self.errors.show("skills", f"At most {MAX_SKILLS} skills of 50 characters each.")
            ok = False
        costs: dict[str, float] = {}
        for cost, widget in self.costs.items():
            limit = COST_LABELS[cost][1]
            value = widget.value
            if value is None or not math.isfinite(float(value)) or not 0 <= value <= limit:
                self.errors.show(f"costs.{cost}", f"A number from 0 to {limit:,.0f}.")
                ok = False
            else:
                costs[cost] = float(value)
        minutes = self.overtime.value
        if minutes is None or not _whole(minutes) or not 0 <= minutes <= MAX_OVERTIME_MIN:
            self.errors.show("max_overtime_s", f"Whole minutes from 0 to {MAX_OVERTIME_MIN}.")
            ok = False
        if not ok:
            return None
        return {
            "name": name,
            "capacity": capacity,
            "shift_start": shift["shift_start"],
            "shift_end": shift["shift_end"],
            "skills": frozenset(skills),
            "costs": VehicleCosts(**costs),
            "max_overtime_s": int(minutes) * 60,
            "active": bool(self.active.value),
        }

    def _command(self, values: dict[str, Any]) -> commands.Command | None:
        if self.vehicle is None:
            values.pop("active")
            return commands.CreateVehicle(depot_id=str(self.depot.value), **values)
        old = self.vehicle
        changed = {
            name: value
            for name, value in values.items()
            if (dict(getattr(old, name)) if name == "capacity" else getattr(old, name)) != value
        }
        if not changed:
            return None
        return commands.UpdateVehicle(vehicle_id=old.id, **changed)

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        values = self._checked()
        if values is None:
            return
        command = self._command(values)
        if command is None:
            self.dialog.close()
            ui.notify("Nothing changed.")
            return
        stored: Vehicle | None = await send_form(
            command, self.save, self.errors, self.dialog, "{name} saved."
        )
        if stored is None:
            return
        await self.on_saved(stored)


def _whole(value: float) -> bool:
    return math.isfinite(float(value)) and float(value).is_integer()


def _input(label: str, value: str, testid: str) -> ui.input:
    return (
        ui.input(label, value=value)
        .props(f'outlined dense aria-label="{label}" data-testid="{testid}"')
        .classes("w-full")
    )


def _number(label: str, value: float | None, testid: str) -> ui.number:
    return (
        ui.number(label, value=value, min=0)
        .props(f'outlined dense aria-label="{label}" data-testid="{testid}"')
        .classes("w-full")
    )
