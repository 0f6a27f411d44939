"""The day's plan versions and, for the one chosen, what it changed against the one before."""

from __future__ import annotations

from datetime import date, tzinfo

from nicegui import ui

from fleetline.bootstrap import Services
from fleetline.operations.plan_versions import (
    VersionDiff,
    VersionSummary,
    day_versions,
    version_diff,
)
from fleetline.ui.dispatch_edits.reading import clock, in_worker, kilometres


def _read(services: Services, day: date) -> list[VersionSummary]:
    with services.uow_factory() as uow:
        return day_versions(uow, day)


def _diff(services: Services, plan_id: str) -> VersionDiff:
    with services.uow_factory() as uow:
        return version_diff(uow, plan_id)


class VersionsPanel:
    """The versions table and the diff of a chosen version.

    Parameters
    ----------
    services
        The running services.
    day
        The delivery day.
    names
        Truck names by vehicle id.
    zone
        The company's time zone.
    """

    def __init__(
        self, services: Services, day: date, names: dict[str, str], zone: tzinfo | None
    ) -> None:
        self._services = services
        self._day = day
        self._names = names
        self._zone = zone
        self._versions: list[VersionSummary] = []

    async def build(self, chosen_version: int | None = None) -> None:
        """Draw the panel, showing the changes of ``chosen_version`` (else the live one)."""
        ui.label("Plan versions").classes("text-h6")
        self._table_box = ui.column().classes("w-full")
        self._diff_box = ui.column().classes("w-full")
        await self.refresh(chosen_version)

    async def refresh(self, chosen_version: int | None = None) -> None:
        """Read the versions again and show the changes of the chosen one."""
        self._versions = await in_worker(_read, self._services, self._day)
        self._table_box.clear()
        with self._table_box:
            if not self._versions:
                ui.label("No plan for this day yet.").classes("text-grey-7")
                return
            rows = [
                {
                    "id": v.plan_id,
                    "version": f"v{v.version}" + (" (live)" if v.live else ""),
                    "source": v.source.value,
                    "trigger": v.trigger,
                    "when": clock(v.created_at, self._zone),
                    "distance": kilometres(v.distance_m),
                    "stops": v.stops,
                    "late": v.late_stops,
                    "unassigned": v.unassigned,
                }
                for v in self._versions
            ]
            columns = [
                {"name": k, "label": label, "field": k, "align": "left"}
                for k, label in (
                    ("version", "Version"),
                    ("source", "Source"),
                    ("trigger", "Why"),
                    ("when", "Made at"),
                    ("distance", "Distance"),
                    ("stops", "Stops"),
                    ("late", "Late stops"),
                    ("unassigned", "Unassigned"),
                )
            ]
            table = ui.table(columns=columns, rows=rows, row_key="id").props(
                'dense flat bordered data-testid="versions"'
            )
            table.classes("w-full cursor-pointer")
            table.on("rowClick", lambda e: self._choose(str(e.args[1]["id"])))
            ui.label("Click a version to see what it changed.").classes("text-caption text-grey-7")
        chosen = next((v for v in self._versions if v.version == chosen_version), None)
        chosen = chosen or next((v for v in self._versions if v.live), self._versions[0])
        await self._choose(chosen.plan_id)

    async def _choose(self, plan_id: str) -> None:
        summary = next(v for v in self._versions if v.plan_id == plan_id)
        diff = await in_worker(_diff, self._services, plan_id)
        self._diff_box.clear()
        with self._diff_box, ui.card().classes("w-full").props('flat bordered data-testid="diff"'):
            ui.label(f"What version {summary.version} changed").classes(
                "text-subtitle1 text-weight-medium"
            )
            if diff.previous_plan_id is None:
                ui.label("The first version of the day.").classes("text-grey-7")
                return
            if diff.empty:
                ui.label("Same stops on the same trucks in the same order (times only).")
                return
            name = self._names.get
            for _order, reference, was, now in diff.moved:
                ui.label(f"Stop {reference} moved from {name(was, was)} to {name(now, now)}")
            for vehicle_id in diff.resequenced:
                ui.label(f"{name(vehicle_id, vehicle_id)} visits its stops in a new order")
            if diff.added:
                ui.label(f"Added to the plan: {len(diff.added)} orders")
            if diff.dropped:
                ui.label(f"Taken off the plan: {len(diff.dropped)} orders")
