"""The form of a depot, to add one or change one: where trucks start, and their time zone.

Checked before it is sent with the domain's rules for a depot; a change sends only the
fields that changed (``UpdateDepot``), a new depot a ``CreateDepot``.
"""

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
    """A dialog with a depot's fields; ``on_saved`` gets the stored depot.

    Parameters
    ----------
    zone
        The time zone offered first to a new depot (the company's).
    on_saved
        Called after the depot was stored (the list refreshes).
    depot
        The depot to change; ``None`` to add one.
    """

    def __init__(
        self,
        zone: str,
        on_saved: Callable[[Depot], Awaitable[None]],
        depot: Depot | None = None,
    ) -> None:
        self.on_saved = on_saved
        self.depot = depot
        self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().classes("fl-form-card").props('data-testid="depot-form"'):
            ui.label(f"Edit {depot.name}" if depot else "Add a depot").classes("text-h6")
            ui.label(
                "Trucks start and end their day here; shift times are read in its zone."
            ).classes("text-body2 text-grey-8")
            self.name = (
                ui.input("Depot name", value=depot.name if depot else "")
                .props('outlined dense aria-label="Depot name"')
                .classes("w-full")
            )
            with ui.element("div").classes("fl-form-grid fl-pairs"):
                self.lat = ui.number(
                    "Latitude", value=depot.location.lat if depot else None, format="%.5f"
                ).props('outlined dense aria-label="Latitude" hint="e.g. 47.1661"')
                self.lon = ui.number(
                    "Longitude", value=depot.location.lon if depot else None, format="%.5f"
                ).props('outlined dense aria-label="Longitude" hint="e.g. 9.5097"')
            self.zone = (
                ui.select(
                    zone_names(),
                    label="Time zone",
                    value=depot.timezone if depot else zone,
                    with_input=True,
                )
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

    def _command(self) -> commands.Command | None:
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
        location = Location(float(self.lat.value), float(self.lon.value))
        zone = str(self.zone.value)
        old = self.depot
        if old is None:
            return commands.CreateDepot(name=name, location=location, timezone=zone)
        return commands.UpdateDepot(
            depot_id=old.id,
            name=name if name != old.name else None,
            location=location if location != old.location else None,
            timezone=zone if zone != old.timezone else None,
        )

    async def submit(self) -> None:
        """Check the form, send it, close the dialog; or show what is wrong."""
        command = self._command()
        if command is None:
            return
        done = "{name} saved." if self.depot else "{name} added."
        depot: Depot | None = await send_form(command, self.save, self.errors, self.dialog, done)
        if depot is None:
            return
        await self.on_saved(depot)
