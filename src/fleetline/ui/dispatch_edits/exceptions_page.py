"""The exceptions inbox at ``/dispatch/exceptions``: disruptions and their options.

Open exceptions newest first, each with its affected orders and its options side by side
(the recommended one highlighted); one click applies an option as a new live plan
version. The page looks for changes every two seconds (a new exception, options ready,
one resolved elsewhere) and redraws only then.
"""

from __future__ import annotations

from datetime import date

from nicegui import ui

from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.errors import Conflict, DomainError
from fleetline.domain.live import ExceptionOption, OperationalException
from fleetline.ui.auth import Principal, require
from fleetline.ui.context import services as running_services
from fleetline.ui.dispatch.nav import console_nav, parse_day
from fleetline.ui.dispatch_edits.reading import (
    InboxLook,
    clock,
    duration,
    in_worker,
    kilometres,
    read_inbox,
)
from fleetline.ui.layout import frame

POLL_EVERY_S = 2.0

PAGE_CSS = """
.fl-options { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
  gap: 10px; width: 100%; }
.fl-option.fl-best { border: 2px solid var(--q-positive); }
.fl-impact td { padding: 1px 8px 1px 0; }
@media (max-width: 1023px) { .fl-nav { flex-wrap: wrap !important; gap: 8px; } }
"""

FIGURE_HINTS = {
    "Weighted late minutes": (
        "Minutes past the promised windows, weighted by the client's priority "
        "(P1 ×4, P2 ×2, P3 ×1, P4 ×0.5, P5 ×0.25); an order not served today counts "
        "as 240 minutes late."
    ),
    "Not served today": "Orders left for another day, including any the plan in force left out.",
    "Cost": "Running cost from now on against the plan in force: driving, paid time, overtime.",
}
"""What a figure of an option means, shown when the pointer rests on its name."""


class ExceptionsInbox:
    """One open inbox page.

    Parameters
    ----------
    services
        The running services.
    principal
        Who decides (named as the one who resolved).
    day
        The delivery day shown.
    """

    def __init__(self, services: Services, principal: Principal, day: date) -> None:
        self._services = services
        self._principal = principal
        self._day = day
        self._signature: tuple[object, ...] | None = None
        self._stale: dict[str, str] = {}
        self._busy = False

    async def build(self) -> None:
        """Draw the inbox and start watching for changes."""
        with ui.column().classes("w-full q-pa-md gap-3"):
            self._outcome = ui.column().classes("w-full")
            ui.label("Open exceptions").classes("text-h6")
            self._open_box = ui.column().classes("w-full gap-4")
            ui.label("Resolved today").classes("text-h6 q-mt-md")
            self._closed_box = ui.column().classes("w-full")
        await self.poll()
        ui.timer(POLL_EVERY_S, self.poll)

    async def poll(self) -> None:
        """Redraw when something changed since the last look."""
        if self._busy:
            return
        look = await in_worker(read_inbox, self._services, self._day)
        if look.signature == self._signature:
            return
        self._signature = look.signature
        self._draw(look)

    def _draw(self, look: InboxLook) -> None:
        self._open_box.clear()
        with self._open_box:
            if not look.open:
                ui.label("No open exception: the plan runs as dispatched.").classes("text-grey-7")
            for exception in look.open:
                self._exception_card(exception, look)
        self._closed_box.clear()
        with self._closed_box:
            self._closed_table(look)

    def _exception_card(self, exception: OperationalException, look: InboxLook) -> None:
        vehicle = look.vehicle_names.get(exception.vehicle_id or "", exception.vehicle_id or "")
        with (
            ui.card()
            .classes("w-full")
            .props(f'data-testid="exception-{exception.id}" flat bordered')
        ):
            with ui.row().classes("items-center gap-2 w-full"):
                ui.badge(exception.kind.value.replace("_", " "), color="negative").classes(
                    "text-body2"
                )
                ui.label(exception.summary).classes("text-subtitle1 text-weight-medium")
                ui.space()
                opened = f"opened {clock(exception.opened_at, look.zone)}"
                ui.label(f"{vehicle} · {opened}" if vehicle else opened).classes("text-grey-7")
            self._affected(exception, look)
            if exception.id in self._stale:
                ui.label(self._stale[exception.id]).classes(
                    "text-warning text-weight-medium"
                ).props('data-testid="stale-option" role="alert"')
            if exception.options_ready_at is None:
                with ui.row().classes("items-center gap-2"):
                    ui.spinner(size="sm")
                    ui.label("Computing options…").classes("text-grey-7")
                return
            if not exception.options:
                ui.label("No option could be found. Handle it on the plan page or dismiss it.")
            with ui.element("div").classes("fl-options"):
                for option in sorted(exception.options, key=lambda o: o.rank):
                    self._option_card(exception, option)
            ui.button(
                "Dismiss without changing the plan",
                on_click=lambda e=exception: self._decide(e, None),
            ).props("flat dense color=grey-8")

    def _affected(self, exception: OperationalException, look: InboxLook) -> None:
        rows = [
            {
                "order": look.references.get(a.order_id, a.order_id),
                "client": a.client_name,
                "priority": f"P{a.priority}",
                "eta": clock(a.eta, look.zone),
                "window_end": clock(a.window_end, look.zone),
                "risk": (a.risk.value.replace("_", " ") if a.risk else "no ETA"),
            }
            for a in exception.affected
        ]
        columns = [
            {"name": k, "label": label, "field": k, "align": "left"}
            for k, label in (
                ("order", "Order"),
                ("client", "Client"),
                ("priority", "Priority"),
                ("eta", "ETA"),
                ("window_end", "Window ends"),
                ("risk", "Risk"),
            )
        ]
        with ui.expansion(f"{len(rows)} affected orders", value=len(rows) <= 6).classes("w-full"):
            ui.table(columns=columns, rows=rows, row_key="order").props("dense flat").classes(
                "w-full"
            )

    def _option_card(self, exception: OperationalException, option: ExceptionOption) -> None:
        best = option.rank == 1
        impact = option.impact
        card = (
            ui.card()
            .classes("fl-option" + (" fl-best" if best else ""))
            .props(f'flat bordered data-testid="option-{option.rank}"')
        )
        with card:
            with ui.row().classes("items-center gap-2"):
                ui.badge(f"#{option.rank}", color="positive" if best else "grey-7")
                if best:
                    ui.label("Recommended").classes("text-positive text-weight-bold")
            ui.label(option.summary).classes("text-body2 text-weight-medium")
            figures = (
                ("Late orders", str(impact.late_orders)),
                ("Weighted late minutes", f"{impact.priority_weighted_lateness:,.0f} min"),
                ("Extra distance", kilometres(impact.extra_distance_m, signed=True)),
                ("Overtime", duration(impact.overtime_s) if impact.overtime_s else "none"),
                ("Cost", f"{impact.cost:+.2f}"),
                ("Not served today", str(impact.unserved_orders)),
                ("Clients to notify", str(impact.clients_to_notify)),
            )
            with ui.element("table").classes("fl-impact text-body2"):
                for name, value in figures:
                    with ui.element("tr"):
                        with ui.element("td").classes("text-grey-7"):
                            label = ui.label(name)
                            if name in FIGURE_HINTS:
                                label.tooltip(FIGURE_HINTS[name])
                        with ui.element("td").classes("text-weight-medium"):
                            ui.label(value)
            ui.button(
                "Apply this option",
                on_click=lambda e=exception, o=option: self._decide(e, o),
            ).props(f"unelevated color={'positive' if best else 'primary'} data-testid=resolve")

    def _closed_table(self, look: InboxLook) -> None:
        if not look.closed:
            ui.label("Nothing resolved yet today.").classes("text-grey-7")
            return
        rows = []
        for e in look.closed:
            chosen = next((o for o in e.options if o.id == e.chosen_option_id), None)
            rows.append(
                {
                    "id": e.id,
                    "kind": e.kind.value.replace("_", " "),
                    "summary": e.summary,
                    "opened": clock(e.opened_at, look.zone),
                    "decided": clock(e.resolved_at, look.zone),
                    "response": duration((e.resolved_at - e.opened_at).total_seconds())
                    if e.resolved_at
                    else "—",
                    "decision": chosen.summary if chosen else "dismissed",
                    "by": e.resolved_by or "",
                    "version": f"v{look.plan_versions[e.plan_id]}"
                    if e.plan_id in look.plan_versions
                    else "—",
                }
            )
        columns = [
            {"name": k, "label": label, "field": k, "align": "left"}
            for k, label in (
                ("kind", "Kind"),
                ("summary", "What happened"),
                ("opened", "Opened"),
                ("decided", "Decided"),
                ("response", "Response time"),
                ("decision", "Decision"),
                ("by", "By"),
                ("version", "Plan"),
            )
        ]
        ui.table(columns=columns, rows=rows, row_key="id").props(
            'dense flat bordered data-testid="resolved"'
        ).classes("w-full")

    async def _decide(
        self, exception: OperationalException, option: ExceptionOption | None
    ) -> None:
        if self._busy:
            return
        self._busy = True
        command = commands.ResolveException(
            exception_id=exception.id,
            option_id=option.id if option else None,
            by=self._principal.name,
        )
        try:
            resolved = await in_worker(self._services.bus.handle, command)
        except Conflict as stale:
            if stale.field == "option_id":
                self._services.exceptions.recompute(exception.id)
                self._stale[exception.id] = (
                    "The day changed since these options were computed, so that option no "
                    "longer fits. Fresh options are being computed: choose again in a moment."
                )
            else:
                self._stale[exception.id] = str(stale)
            resolved = None
        except DomainError as error:
            self._stale[exception.id] = str(error)
            resolved = None
        finally:
            self._busy = False
        if resolved is not None:
            self._stale.pop(exception.id, None)
            self._show_outcome(resolved, option)
        self._signature = None
        await self.poll()

    def _show_outcome(self, resolved: OperationalException, option: ExceptionOption | None) -> None:
        self._outcome.clear()
        with (
            self._outcome,
            ui.card().classes("w-full bg-green-1").props('flat bordered data-testid="outcome"'),
        ):
            if option is None or resolved.plan_id is None:
                ui.label(f"Dismissed: {resolved.summary}. The plan is unchanged.")
                return
            with self._services.uow_factory() as uow:
                plan = uow.plans.get(resolved.plan_id)
            version = plan.version if plan else "?"
            with ui.row().classes("items-center gap-3"):
                ui.icon("check_circle", color="positive", size="md")
                ui.label(
                    f"Applied “{option.summary}”: plan version {version} is live and sent to "
                    "the drivers."
                ).classes("text-body1")
                ui.link(
                    "See what changed",
                    f"/dispatch/plan?date={self._day.isoformat()}&version={version}",
                )


def register() -> None:
    """Register the exceptions inbox page."""

    @ui.page("/dispatch/exceptions")
    async def exceptions_page(date: str | None = None) -> None:
        principal = require(Role.DISPATCHER, Role.ADMIN)
        if principal is None:
            return
        services = running_services()
        day = parse_day(date, services.live.today())
        frame(principal, "Exceptions")
        ui.add_css(PAGE_CSS)
        console_nav("exceptions", day)
        await ExceptionsInbox(services, principal, day).build()
