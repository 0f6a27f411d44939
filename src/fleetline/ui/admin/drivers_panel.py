"""Drivers: listed with phone and truck; add one, edit one, assign a truck."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Driver
from fleetline.domain.values import validate_phone
from fleetline.ui.admin.common import (
    FieldErrors,
    in_worker,
    section_title,
    send_form,
    sentence,
    text_of,
)
from fleetline.ui.admin.reading import Fleet, read_fleet

NO_TRUCK = ""


class DriverForm:
    """A dialog with a driver's name, phone and truck.

    Parameters
    ----------
    fleet
        The vehicles a driver may be assigned to (and who drives them now).
    driver
        The driver to change; ``None`` to add one.
    panel
        The list to refresh once saved.
    """

    def __init__(self, fleet: Fleet, driver: Driver | None, panel: DriversPanel) -> None:
        self.driver = driver
        self.panel = panel
        driven = {d.vehicle_id: d.name for d in fleet.drivers if d.vehicle_id and d != driver}
        trucks: dict[str, str] = {NO_TRUCK: "No truck"}
        for vehicle in fleet.vehicles:
            taken = f" (now {driven[vehicle.id]})" if vehicle.id in driven else ""
            trucks[vehicle.id] = f"{vehicle.name}{taken}"
        self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().classes("fl-form-card").props('data-testid="driver-form"'):
            ui.label(f"Edit {driver.name}" if driver else "Add a driver").classes("text-h6")
            self.name = (
                ui.input("Name", value=driver.name if driver else "")
                .props('outlined dense aria-label="Driver name"')
                .classes("w-full")
            )
            self.phone = (
                ui.input("Phone (optional)", value=(driver.phone or "") if driver else "")
                .props('outlined dense aria-label="Driver phone" hint="e.g. +423 791 22 33"')
                .classes("w-full")
            )
            self.truck = (
                ui.select(
                    trucks,
                    label="Truck",
                    value=(driver.vehicle_id or NO_TRUCK) if driver else NO_TRUCK,
                )
                .props('outlined dense aria-label="Truck" data-testid="driver-truck"')
                .classes("w-full")
            )
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.save = ui.button("Save", icon="save", on_click=self.submit).props(
                    'unelevated color=primary no-caps data-testid="driver-save"'
                )
        widgets: dict[str, Any] = {"name": self.name, "phone": self.phone, "vehicle_id": self.truck}
        self.errors = FieldErrors(widgets, general)

    def _command(self) -> commands.Command | None:
        self.errors.clear()
        name, phone, truck = text_of(self.name), text_of(self.phone), str(self.truck.value or "")
        ok = True
        if not name or len(name) > 200:
            self.errors.show("name", "Give the driver's name (at most 200 characters).")
            ok = False
        if phone:
            try:
                phone = validate_phone(phone)
            except InvalidField as error:
                self.errors.show("phone", sentence(error.message))
                ok = False
        if not ok:
            return None
        if self.driver is None:
            return commands.CreateDriver(name=name, phone=phone or None, vehicle_id=truck or None)
        old = self.driver
        clear = frozenset(
            field
            for field, value, before in (
                ("phone", phone, old.phone),
                ("vehicle_id", truck, old.vehicle_id),
            )
            if not value and before
        )
        return commands.UpdateDriver(
            driver_id=old.id,
            name=name if name != old.name else None,
            phone=phone if phone and phone != old.phone else None,
            vehicle_id=truck if truck and truck != old.vehicle_id else None,
            clear=clear,
        )

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        command = self._command()
        if command is None:
            return
        stored: Driver | None = await send_form(
            command, self.save, self.errors, self.dialog, "{name} saved."
        )
        if stored is None:
            return
        await self.panel.load()


class DriversPanel:
    """The drivers section."""

    def __init__(self) -> None:
        self._fleet: Fleet | None = None
        with ui.row().classes("w-full items-end justify-between gap-2"):
            section_title("Drivers", "Who drives which truck; a driver's app shows that truck.")
            ui.button("Add a driver", icon="person_add", on_click=lambda: self._open(None)).props(
                'unelevated color=primary no-caps data-testid="driver-add"'
            )
        self._list = ui.column().classes("w-full gap-0")
        self._dialogs = ui.element("div")

    async def load(self) -> None:
        """Read the drivers and trucks and draw the list."""
        self._fleet = await in_worker(read_fleet)
        self._draw()

    def _draw(self) -> None:
        fleet = self._fleet
        self._list.clear()
        if fleet is None:
            return
        trucks = {v.id: v.name for v in fleet.vehicles}
        with self._list:
            if not fleet.drivers:
                ui.label("No drivers yet.").classes("text-grey-7 q-pa-sm")
                return
            with ui.list().props("bordered separator").classes("w-full rounded-borders"):
                for driver in fleet.drivers:
                    with ui.item().classes("fl-admin-row").props(f'data-driver="{driver.name}"'):
                        with ui.item_section():
                            ui.item_label(driver.name).classes("text-weight-medium")
                            truck = trucks.get(driver.vehicle_id or "", "no truck")
                            phone = driver.phone or "no phone"
                            ui.item_label(f"Truck: {truck} · {phone}").props("caption")
                        with ui.item_section().props("side"):
                            ui.button(
                                icon="edit", on_click=lambda _e, d=driver: self._open(d)
                            ).props(f'flat round color=primary aria-label="Edit {driver.name}"')

    def _open(self, driver: Driver | None) -> None:
        if self._fleet is None:
            return
        self._dialogs.clear()
        with self._dialogs:
            DriverForm(self._fleet, driver, self).dialog.open()
