"""Vehicles: the fleet listed with capacity, shift, skills and driver; add one, edit one."""

from __future__ import annotations

from nicegui import ui

from fleetline.domain.company import CompanyZone
from fleetline.domain.model import Depot, Vehicle
from fleetline.ui.admin.common import in_worker, section_title
from fleetline.ui.admin.company_zone import CompanyZoneForm, company_zone_row
from fleetline.ui.admin.depot_form import DepotForm
from fleetline.ui.admin.reading import Fleet, read_fleet
from fleetline.ui.admin.vehicle_form import DIMENSION_LABELS, VehicleForm


def capacity_words(vehicle: Vehicle) -> str:
    """``18 pallets · 8,000 kg``: the vehicle's capacity as an admin reads it."""
    parts = []
    for dimension, amount in vehicle.capacity.items():
        if dimension == "weight_kg":
            parts.append(f"{amount:,} kg")
        elif dimension == "volume_m3":
            parts.append(f"{amount:,} m³")
        else:
            parts.append(f"{amount:,} {DIMENSION_LABELS.get(dimension, dimension).lower()}")
    return " · ".join(parts) or "no capacity"


class VehiclesPanel:
    """The vehicles section."""

    def __init__(self) -> None:
        self._fleet: Fleet | None = None
        with ui.row().classes("w-full items-end justify-between gap-2"):
            section_title("Vehicles", "Capacity, shift, skills and costs the planner uses.")
            self._add = ui.button("Add a vehicle", icon="add", on_click=self._open_new).props(
                'unelevated color=primary no-caps data-testid="vehicle-add"'
            )
        self._list = ui.column().classes("w-full gap-0")
        self._dialogs = ui.element("div")

    async def load(self) -> None:
        """Read the fleet and draw the list."""
        self._fleet = await in_worker(read_fleet)
        self._draw()

    def _draw(self) -> None:
        fleet = self._fleet
        self._list.clear()
        if fleet is None:
            return
        depots = {d.id: d.name for d in fleet.depots}
        drivers = {d.vehicle_id: d.name for d in fleet.drivers if d.vehicle_id}
        with self._list:
            self._depots(fleet)
            if not fleet.vehicles:
                ui.label("No vehicles yet.").classes("text-grey-7 q-pa-sm")
                return
            with ui.list().props("bordered separator").classes("w-full rounded-borders"):
                for vehicle in fleet.vehicles:
                    self._row(vehicle, depots, drivers)

    def _depots(self, fleet: Fleet) -> None:
        company_zone_row(fleet.company, fleet.depots, self._open_company_zone)
        with ui.row().classes("w-full items-center gap-2 q-pt-sm"):
            ui.icon("warehouse", color="blue-grey-7")
            ui.label("Depots").classes("text-subtitle2")
            if not fleet.depots:
                ui.label("none yet: add one, then its vehicles.").classes("text-body2")
            ui.button("Add a depot", icon="add", on_click=lambda: self._open_depot(None)).props(
                'flat dense no-caps color=primary data-testid="depot-add"'
            )
        if not fleet.depots:
            return
        with ui.list().props("bordered separator dense").classes("w-full rounded-borders q-mb-md"):
            for depot in fleet.depots:
                with ui.item().classes("fl-admin-row").props(f'data-depot="{depot.name}"'):
                    with ui.item_section():
                        ui.item_label(f"{depot.name} ({depot.timezone})").classes(
                            "text-weight-medium"
                        )
                        where = f"{depot.location.lat:.5f}, {depot.location.lon:.5f}"
                        ui.item_label(where).props("caption")
                    with ui.item_section().props("side"):
                        ui.button(
                            icon="edit", on_click=lambda _e, d=depot: self._open_depot(d)
                        ).props(f'flat round color=primary aria-label="Edit depot {depot.name}"')

    def _row(self, vehicle: Vehicle, depots: dict[str, str], drivers: dict[str, str]) -> None:
        with ui.item().classes("fl-admin-row").props(f'data-vehicle="{vehicle.name}"'):
            with ui.item_section():
                with ui.row().classes("items-center gap-2"):
                    ui.item_label(vehicle.name).classes("text-weight-medium")
                    if vehicle.active:
                        ui.badge("in service", color="positive").props("outline")
                    else:
                        ui.badge("out of service", color="grey-7").props("outline")
                shift = f"{vehicle.shift_start:%H:%M}–{vehicle.shift_end:%H:%M}"
                depot = depots.get(vehicle.depot_id, vehicle.depot_id)
                ui.item_label(f"{depot} · shift {shift} · {capacity_words(vehicle)}").props(
                    "caption"
                )
                skills = ", ".join(sorted(vehicle.skills)) or "no special skills"
                driver = drivers.get(vehicle.id, "no driver")
                ui.item_label(f"Skills: {skills} · Driver: {driver}").props("caption")
            with ui.item_section().props("side"):
                ui.button(icon="edit", on_click=lambda _e, v=vehicle: self._open_edit(v)).props(
                    f'flat round color=primary aria-label="Edit {vehicle.name}"'
                ).tooltip("Edit")

    def _open_depot(self, depot: Depot | None) -> None:
        zone = self._fleet.company.timezone if self._fleet else ""
        self._dialogs.clear()
        with self._dialogs:
            DepotForm(zone if "/" in zone else "Europe/Zurich", self._saved, depot).open()

    def _open_company_zone(self) -> None:
        if self._fleet is None:
            return
        self._dialogs.clear()
        with self._dialogs:
            CompanyZoneForm(self._fleet.company, self._zone_saved).open()

    async def _zone_saved(self, _zone: CompanyZone) -> None:
        await self.load()

    def _open_new(self) -> None:
        self._open_edit(None)

    def _open_edit(self, vehicle: Vehicle | None) -> None:
        if self._fleet is None:
            return
        self._dialogs.clear()
        with self._dialogs:
            VehicleForm(self._fleet.depots, vehicle, self._saved).open()

    async def _saved(self, _saved: object) -> None:
        await self.load()
