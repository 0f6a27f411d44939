"""How an edit's previewed impact is drawn: figures, broken constraints, edited routes."""

from __future__ import annotations

from datetime import tzinfo

from nicegui import ui

from fleetline.operations.edit_impact import EditPreview, RouteImpact
from fleetline.ui.dispatch_edits.reading import RISK_COLOURS, clock, duration, kilometres


def draw_impact(preview: EditPreview, zone: tzinfo | None) -> None:
    """Draw a preview: the headline figures, what it breaks in words, each edited route."""
    with ui.card().classes("w-full").props('flat bordered data-testid="impact"'):
        ui.label("Impact of this move").classes("text-subtitle1 text-weight-medium")
        with ui.row().classes("gap-6"):
            _figure("Late stops", f"{preview.late_before} → {preview.late_after}")
            _figure("Distance", kilometres(preview.extra_distance_m, signed=True))
            overtime = preview.extra_overtime_s
            _figure(
                "Overtime",
                ("+" if overtime > 0 else "−") + duration(overtime) if overtime else "no change",
            )
        hard = [v for v in preview.violations if v.hard]
        soft = [v for v in preview.violations if not v.hard]
        for violation in hard:
            with ui.row().classes("items-center gap-2 no-wrap").props('data-testid="refusal"'):
                ui.icon("block", color="negative")
                ui.label(f"Cannot apply: {violation.message}").classes(
                    "text-negative text-weight-medium"
                )
        for violation in soft:
            with ui.row().classes("items-center gap-2 no-wrap").props('data-testid="warning"'):
                ui.icon("warning", color="warning")
                ui.label(violation.message).classes("text-orange-10")
        if not preview.violations:
            ui.label("Every constraint holds: capacity, skills, windows and shift end.").classes(
                "text-positive"
            )
        with ui.column().classes("w-full gap-3"):
            for route in preview.routes:
                _route(route, zone)


def _figure(name: str, value: str) -> None:
    with ui.column().classes("gap-0"):
        ui.label(name).classes("text-caption text-grey-7")
        ui.label(value).classes("text-h6")


def _route(route: RouteImpact, zone: tzinfo | None) -> None:
    load = ", ".join(
        f"{amount}/{route.capacity.get(dim, 0)} {dim.replace('_', ' ')}"
        for dim, amount in sorted(route.load_after.items())
    )
    with ui.card().classes("w-full").props("flat bordered").style("max-width: 100%"):
        ui.label(route.vehicle_name).classes("text-weight-bold")
        ui.label(
            f"Back at {clock(route.end_before, zone)} → {clock(route.end_after, zone)} · "
            f"late {route.late_before} → {route.late_after}"
        ).classes("text-caption")
        if load:
            ui.label(f"Load after: {load}").classes("text-caption text-grey-8")
        rows = [
            {
                "n": n,
                "stop": s.label + ("  ← moved here" if s.moved_here else ""),
                "client": s.client_name,
                "before": clock(s.eta_before, zone),
                "after": clock(s.eta_after, zone),
                "window": clock(s.window_end, zone),
                "risk": s.risk_after.value.replace("_", " ") if s.risk_after else "no ETA",
                "colour": RISK_COLOURS.get(s.risk_after, "grey") if s.risk_after else "grey",
            }
            for n, s in enumerate(route.stops, start=1)
        ]
        columns = [
            {"name": k, "label": label, "field": k, "align": "left"}
            for k, label in (
                ("n", "#"),
                ("stop", "Stop"),
                ("client", "Client"),
                ("before", "ETA now"),
                ("after", "ETA after"),
                ("window", "Window ends"),
                ("risk", "Risk after"),
            )
        ]
        table = (
            ui.table(columns=columns, rows=rows, row_key="n")
            .props("dense flat")
            .classes("w-full")
            .style("max-width: 100%")
        )
        table.add_slot(
            "body-cell-risk",
            '<q-td :props="props"><q-badge :color="props.row.colour">{{ props.value }}'
            "</q-badge></q-td>",
        )
        if not rows:
            ui.label("No stops left on this truck.").classes("text-grey-7")
