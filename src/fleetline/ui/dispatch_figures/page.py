"""The figures page at ``/dispatch/figures``: the day's KPIs, their charts, the last days.

Headline figures first (on time, completed and failed, exception response, inquiries,
overtime, distance, ETA accuracy, plan adherence), then charts of the day (messages by
kind, ETA accuracy by horizon) and of the last 14 days (on-time rate, exception
response), and a table comparing those days. A figure or chart with nothing measured
says so in words. The page reads again every 30 seconds and redraws when a figure
changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from nicegui import ui

from fleetline.bootstrap import Services
from fleetline.domain.access import Role
from fleetline.operations.kpis import DayKpis
from fleetline.ui.auth import require
from fleetline.ui.context import services as running_services
from fleetline.ui.dispatch.nav import console_nav, parse_day
from fleetline.ui.dispatch_edits.reading import duration, in_worker
from fleetline.ui.dispatch_figures.charts import (
    Options,
    eta_chart,
    messages_chart,
    on_time_trend,
    response_trend,
)
from fleetline.ui.dispatch_figures.reading import (
    HISTORY_DAYS,
    FiguresLook,
    Headline,
    headlines,
    percent,
    read_figures,
)
from fleetline.ui.layout import frame

REFRESH_EVERY_S = 30.0

PAGE_CSS = """
.fl-headlines { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
  gap: 10px; width: 100%; }
@media (max-width: 599px) {
  .fl-headlines { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .fl-headlines .text-h5 { font-size: 1.25rem; }
  .fl-headlines .text-body2 { font-size: 0.8rem; line-height: 1.2; }
}
.fl-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr));
  gap: 12px; width: 100%; }
.fl-chart { height: 260px; width: 100%; }
.fl-history { width: 100%; overflow-x: auto; }
@media (max-width: 1023px) { .fl-nav { flex-wrap: wrap !important; gap: 8px; } }
"""


def _headline_card(figure: Headline) -> None:
    with (
        ui.card()
        .tight()
        .classes("q-pa-sm")
        .props(f'flat bordered data-testid="figure-{figure.key}"')
    ):
        ui.label(figure.label).classes("text-caption text-grey-8")
        value = ui.label(figure.value).classes("text-h5 text-weight-medium")
        if figure.alert:
            value.classes("text-negative")
        ui.label(figure.detail).classes("text-body2 text-grey-8")


def _chart_card(key: str, title: str, options: Options | None, empty: str, note: str = "") -> None:
    with ui.card().classes("w-full q-pa-sm").props(f'flat bordered data-testid="chart-{key}"'):
        ui.label(title).classes("text-subtitle1 text-weight-medium")
        if note:
            ui.label(note).classes("text-caption text-grey-7")
        if options is None:
            ui.label(empty).classes("text-grey-7 q-py-lg").props(f'data-testid="empty-{key}"')
            return
        ui.echart(options).classes("fl-chart").props(f'data-testid="echart-{key}"')


def _history_rows(history: tuple[DayKpis, ...]) -> list[dict[str, Any]]:
    rows = []
    for kpis in reversed(history):
        adherence = kpis.adherence
        response = kpis.exception_response_s_median
        rows.append(
            {
                "day": kpis.date.isoformat(),
                "orders": kpis.orders,
                "on_time": percent(kpis.on_time_rate),
                "done": f"{kpis.orders_completed} / {kpis.orders_failed}",
                "response": "—" if response is None else duration(response),
                "sequence": percent(adherence.sequence_kept_share if adherence else None),
                "truck": percent(adherence.on_planned_truck_share if adherence else None),
                "inquiries": "—"
                if kpis.inquiries_per_100_orders is None
                else f"{kpis.inquiries_per_100_orders:g}",
            }
        )
    return rows


HISTORY_COLUMNS = [
    {"name": "day", "label": "Day", "field": "day", "align": "left"},
    {"name": "orders", "label": "Orders", "field": "orders"},
    {"name": "on_time", "label": "On time", "field": "on_time"},
    {"name": "done", "label": "Completed / failed", "field": "done"},
    {"name": "response", "label": "Response (median)", "field": "response"},
    {"name": "sequence", "label": "Sequence kept", "field": "sequence"},
    {"name": "truck", "label": "Planned truck", "field": "truck"},
    {"name": "inquiries", "label": "Inquiries / 100", "field": "inquiries"},
]


class FiguresPage:
    """One open figures page.

    Parameters
    ----------
    services
        The running services.
    day
        The delivery day shown (the last day of the trends).
    read
        Reads the figures (in a worker thread).
    """

    def __init__(
        self,
        services: Services,
        day: date,
        read: Callable[..., FiguresLook] = read_figures,
    ) -> None:
        self._services = services
        self._day = day
        self._read = read
        self._signature: tuple[object, ...] | None = None
        self._earlier: tuple[DayKpis, ...] | None = None

    async def build(self) -> None:
        """Draw the page, fill it with the figures once read, and read them every 30 s.

        The page is sent at once and its figures follow: a busy machine makes them come
        later, never turns the page into an error.
        """
        self._box = ui.column().classes("w-full q-pa-md gap-4")
        with self._box:
            ui.label("Reading the day's figures…").classes("text-grey-7")
        ui.timer(0.05, self.refresh, once=True)
        ui.timer(REFRESH_EVERY_S, self.refresh)

    async def refresh(self) -> None:
        """Read the figures and redraw them when one changed.

        The days before the one shown are read once; each refresh reads the day shown.
        """
        look = await in_worker(self._read, self._services, self._day, HISTORY_DAYS, self._earlier)
        self._earlier = look.history[:-1]
        if look.signature == self._signature:
            return
        self._signature = look.signature
        self._box.clear()
        with self._box:
            self._draw(look)

    def _draw(self, look: FiguresLook) -> None:
        kpis = look.today
        with ui.row().classes("items-baseline gap-3"):
            ui.label(f"Figures of {look.day.strftime('%A %d %B %Y')}").classes("text-h6")
            ui.label("planned: the morning plan, the first version dispatched").classes(
                "text-caption text-grey-7"
            )
        if kpis.orders == 0:
            ui.label(f"No order on {look.day.isoformat()}: there is nothing to measure.").classes(
                "text-body1 text-grey-8"
            ).props('data-testid="no-orders"')
        with ui.element("div").classes("fl-headlines").props('data-testid="headlines"'):
            for figure in headlines(kpis):
                _headline_card(figure)
        with ui.element("div").classes("fl-charts"):
            _chart_card(
                "messages",
                "Messages by kind",
                messages_chart(kpis),
                "No message has left for this day's clients yet.",
                "sent, or recorded where no channel is set up",
            )
            _chart_card(
                "eta",
                "ETA accuracy by horizon",
                eta_chart(kpis),
                "No arrival has been measured against an ETA yet.",
                "mean error of the ETA shown 60, 30 and 15 minutes before arrival",
            )
            _chart_card(
                "on-time-trend",
                f"On-time rate, last {len(look.history)} days",
                on_time_trend(look.history),
                f"No delivery was judged in the last {len(look.history)} days.",
            )
            _chart_card(
                "response-trend",
                f"Exception response, last {len(look.history)} days",
                response_trend(look.history),
                f"No exception was decided in the last {len(look.history)} days.",
                "event to decision, in minutes",
            )
        ui.label(f"The last {HISTORY_DAYS} days").classes("text-subtitle1 text-weight-medium")
        if not any(d.orders for d in look.history):
            ui.label(f"No order in the last {len(look.history)} days.").classes(
                "text-grey-7"
            ).props('data-testid="no-history"')
            return
        with ui.element("div").classes("fl-history"):
            ui.table(
                columns=HISTORY_COLUMNS, rows=_history_rows(look.history), row_key="day"
            ).props('flat bordered dense data-testid="history"').classes("w-full")


def register() -> None:
    """Register the figures page."""

    @ui.page("/dispatch/figures")
    async def figures_page(date: str | None = None) -> None:
        principal = require(Role.DISPATCHER, Role.ADMIN)
        if principal is None:
            return
        services = running_services()
        day = parse_day(date, services.live.today())
        frame(principal, "Figures")
        ui.add_css(PAGE_CSS)
        console_nav("figures", day)
        await FiguresPage(services, day).build()
