"""The form of a new depot: where trucks start and end, and the time zone of their shifts."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from functools import cache
from zoneinfo import available_timezones

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.model import Depot, Location
from fleetline.ui.admin.common import FieldErrors, send_form, text_of


@cache
def zone_names() -> list[str]:
    """Every IANA time zone name, sorted (read once)."""
    return sorted(name for name in available_timezones() if "/" in name)


class DepotForm:
    """A dialog to add a depot; ``on_saved`` gets the stored depot.

    Parameters
    ----------
    zone
        The time zone offered first (the company's).
    on_saved
        Called after the depot was stored (the list refreshes).
    """

    def __init__(self, zone: str, on_saved: Callable[[Depot], Awaitable[None]]) -> None:
        self.on_saved = on_saved
        self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().classes("fl-form-card").props('data-testid="depot-form"'):
            ui.label("Add a depot").classes("text-h6")
            ui.label(
                "Trucks start and end their day here; shift times are read in its zone."
            ).classes("text-body2 text-grey-8")
            self.name = (
                ui.input("Depot name")
                .props('outlined dense aria-label="Depot name"')
                .classes("w-full")
            )
            with ui.element("div").classes("fl-form-grid fl-pairs"):
                self.lat = ui.number("Latitude", format="%.5f").props(
                    'outlined dense aria-label="Latitude" hint="e.g. 47.1661"'
                )
                self.lon = ui.number("Longitude", format="%.5f").props(
                    'outlined dense aria-label="Longitude" hint="e.g. 9.5097"'
                )
            self.zone = (
                ui.select(zone_names(), label="Time zone", value=zone, with_input=True)
                .props('outlined dense aria-label="Time zone" data-testid="depot-zone"')
                .classes("w-full")
            )
            general = ui.label("").classes("text-negative text-body2").props('role="alert"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.save = ui.button("Save", icon="save", on_click=self.submit).props(
                    'unelevated color=primary no-caps data-testid="depot-save"'
                )
        self.errors = FieldErrors(
            {
                "name": self.name,
                "lat": self.lat,
                "lon": self.lon,
                "location": self.lat,
                "timezone": self.zone,
            },
            general,
        )

    def open(self) -> None:
        """Show the dialog."""
        self.dialog.open()

    def _command(self) -> commands.CreateDepot | None:
        self.errors.clear()
        ok = True
        name = text_of(self.name)
        if not name or len(name) > 200:
            self.errors.show("name", "Give the depot a name (at most 200 characters).")
            ok = False
        for field, widget, limit in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            value = widget.value
            if value is None or not math.isfinite(float(value)) or abs(value) > limit:
                self.errors.show(field, f"Degrees from -{limit:.0f} to {limit:.0f}.")
                ok = False
        if self.zone.value not in zone_names():
            self.errors.show("timezone", "Choose a time zone from the list.")
            ok = False
        if not ok:
            return None
        return commands.CreateDepot(
            name=name,
            location=Location(float(self.lat.value), float(self.lon.value)),
            timezone=str(self.zone.value),
        )

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        command = self._command()
        if command is None:
            return
        depot: Depot | None = await send_form(
            command, self.save, self.errors, self.dialog, "{name} added."
        )
        if depot is None:
            return
        await self.on_saved(depot)
