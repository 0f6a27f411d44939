"""The day's traffic incidents: those in force (each can be ended now), then the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.live import IncidentKind, TrafficIncident
from fleetline.ui.dispatch_controls.forms import FieldErrors, send
from fleetline.ui.dispatch_controls.reading import ControlsLook, clock


def area_words(incident: TrafficIncident) -> str:
    """Where the incident is, in words: ``1.5 km around 47.1400, 9.5200``."""
    area = incident.area
    if area.polygon:
        return f"an area of {len(area.polygon)} corners"
    radius = area.radius_m or 0
    size = f"{radius / 1000:.1f} km" if radius >= 1000 else f"{radius:.0f} m"
    centre = area.center
    return f"{size} around {centre.lat:.4f}, {centre.lon:.4f}" if centre else size


def what_words(incident: TrafficIncident) -> str:
    """What the incident does: ``Closed`` or ``Slowdown: travel ×2``."""
    if incident.kind is IncidentKind.CLOSURE:
        return "Closed"
    return f"Slowdown: travel ×{incident.factor:g}"


class IncidentList:
    """The incidents of the day.

    Parameters
    ----------
    by
        Who ends an incident.
    on_changed
        Called after an incident is ended.
    """

    def __init__(self, by: str, on_changed: Callable[[], Awaitable[None]]) -> None:
        self.by = by
        self.on_changed = on_changed
        ui.label("In force now").classes("text-subtitle2")
        self.active = ui.column().classes("w-full gap-1").props('data-testid="active-incidents"')
        self.general = ui.label("").classes("text-negative text-caption")
        self.errors = FieldErrors({}, self.general)
        self.others = ui.column().classes("w-full gap-0").props('data-testid="other-incidents"')

    def show(self, look: ControlsLook) -> None:
        """Draw the day's incidents."""
        in_force = look.in_force()
        self.active.clear()
        with self.active:
            if not in_force:
                ui.label("No closure or slowdown in force.").classes("text-grey-7")
            for incident in in_force:
                self._row(incident, look)
        others = [i for i in look.incidents if not i.active_at(look.now)]
        self.others.clear()
        with self.others:
            if others:
                ui.label("Earlier and coming today").classes("text-caption text-weight-medium")
            for incident in others:
                coming = incident.starts_at > look.now
                when = (
                    f"from {clock(incident.starts_at, look.zone)}"
                    if coming
                    else f"ended {clock(incident.ends_at, look.zone)}"
                )
                ui.label(
                    f"{what_words(incident)} · {area_words(incident)} · {when}"
                    + (f" · {incident.note}" if incident.note else "")
                ).classes("text-caption text-grey-7").props(f'data-testid="incident-{incident.id}"')

    def _row(self, incident: TrafficIncident, look: ControlsLook) -> None:
        colour = "negative" if incident.kind is IncidentKind.CLOSURE else "warning"
        until = clock(incident.ends_at, look.zone) if incident.ends_at else "you end it"
        with (
            ui.row()
            .classes("w-full items-center no-wrap gap-2 fl-incident-row")
            .props(f'data-testid="incident-{incident.id}"')
        ):
            ui.badge(KIND_WORDS[incident.kind], color=colour)
            with ui.column().classes("gap-0 col fl-shrink"):
                ui.label(f"{what_words(incident)} · {area_words(incident)}").classes("text-body2")
                detail = f"{clock(incident.starts_at, look.zone)} until {until}"
                if incident.note:
                    detail += f" · {incident.note}"
                ui.label(detail).classes("text-caption text-grey-8")

            async def end(incident_id: str = incident.id) -> None:
                await self._end(incident_id)

            ui.button("End now", on_click=end).props(
                f'flat dense no-caps color=primary data-testid="incident-end-{incident.id}"'
            )

    async def _end(self, incident_id: str) -> None:
        self.errors.clear()
        command = commands.EndTrafficIncident(incident_id=incident_id, by=self.by)
        if await send(command, self.errors) is None:
            return
        ui.notify("Incident ended: travel times are back to normal there.")
        await self.on_changed()


KIND_WORDS = {IncidentKind.CLOSURE: "Closure", IncidentKind.SLOWDOWN: "Slowdown"}
