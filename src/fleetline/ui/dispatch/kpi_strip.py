"""The strip of the day's figures at the top of the dispatcher console."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from fleetline.domain.live import ExceptionStatus, Risk
from fleetline.operations.kpis import DayKpis
from fleetline.operations.live_service import LivePicture


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of the strip: its name, its value as read, and whether it is bad news."""

    key: str
    label: str
    value: str
    alert: bool = False


def figures(kpis: DayKpis, picture: LivePicture, open_exceptions: int) -> list[Figure]:
    """The strip's figures: the day's measures and how the live picture stands now."""
    late_now = sum(1 for f in picture.forecasts.values() if f.risk is Risk.LATE)
    at_risk = sum(1 for f in picture.forecasts.values() if f.risk is Risk.AT_RISK)
    rate = "—" if kpis.on_time_rate is None else f"{100 * kpis.on_time_rate:.0f}%"
    return [
        Figure(
            "on_time", "On time", rate, kpis.on_time_rate is not None and kpis.on_time_rate < 0.9
        ),
        Figure(
            "completed",
            "Completed / failed",
            f"{kpis.orders_completed} / {kpis.orders_failed}",
            kpis.orders_failed > 0,
        ),
        Figure("exceptions", "Open exceptions", str(open_exceptions), open_exceptions > 0),
        Figure("late", "Late stops now", f"{late_now} (+{at_risk} at risk)", late_now > 0),
        Figure("messages", "Messages sent", str(kpis.notifications_sent)),
        Figure("inquiries", "Inquiries", str(kpis.inquiries)),
    ]


OPEN = ExceptionStatus.OPEN
"""Exceptions still waiting for a decision."""


class KpiStrip:
    """A row of small cards, one per figure; updated in place."""

    def __init__(self) -> None:
        self._values: dict[str, ui.label] = {}
        self._cards: dict[str, ui.card] = {}
        self._row = ui.row().classes("w-full gap-2 no-wrap fl-kpis")

    def show(self, shown: list[Figure]) -> None:
        """Show ``shown``, creating the cards the first time."""
        for figure in shown:
            if figure.key not in self._values:
                with self._row:
                    card = (
                        ui.card()
                        .tight()
                        .classes("q-px-md q-py-xs fl-kpi")
                        .props(f'flat bordered data-kpi="{figure.key}"')
                    )
                    with card:
                        ui.label(figure.label).classes("text-caption text-grey-8")
                        self._values[figure.key] = ui.label().classes("text-h6 fl-kpi-value")
                    self._cards[figure.key] = card
            value = self._values[figure.key]
            if value.text != figure.value:
                value.text = figure.value
            if figure.alert:
                value.classes(add="text-negative")
            else:
                value.classes(remove="text-negative")
