"""The dispatcher console's sections, and the day it looks at (shared by its pages)."""

from __future__ import annotations

from datetime import date

from nicegui import ui

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("live", "Live", "/dispatch"),
    ("exceptions", "Exceptions", "/dispatch/exceptions"),
    ("plan", "Plan", "/dispatch/plan"),
    ("controls", "Controls", "/dispatch/controls"),
    ("figures", "Figures", "/dispatch/figures"),
)
"""Each section: its key, its title, its address."""

TABS_CSS = """
.fl-tab { padding: 4px 16px; }
@media (max-width: 599px) { .fl-tab { padding: 4px 8px; } }
"""
"""Narrower tabs on a phone, so that every section fits on one line."""


def parse_day(text: str | None, default: date) -> date:
    """The day asked for in the address (``?date=2026-11-26``), else ``default``."""
    if not text:
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return default


def console_nav(current: str, day: date) -> None:
    """Draw the sections as tabs (keeping the day) and a picker of the day.

    Parameters
    ----------
    current
        The key of the section shown (one of :data:`SECTIONS`).
    day
        The delivery day shown; choosing another reopens the section on that day.
    """
    ui.add_css(TABS_CSS)
    with ui.row().classes("w-full items-center justify-between no-wrap q-px-sm fl-nav"):
        with ui.row().classes("items-center gap-1 no-wrap"):
            for key, title, path in SECTIONS:
                link = ui.link(title, f"{path}?date={day.isoformat()}").classes(
                    "fl-tab rounded-borders no-underline text-weight-medium"
                )
                link.props(f'data-section="{key}"')
                if key == current:
                    link.classes("bg-primary text-white")
                else:
                    link.classes("text-primary")
        path = next(p for k, _, p in SECTIONS if k == current)
        picker = ui.input("Day", value=day.isoformat()).props(
            'dense outlined data-field="date" style="width: 11rem"'
        )
        with picker.add_slot("append"):
            icon = ui.icon("event").classes("cursor-pointer")
            with ui.menu() as menu:
                calendar = ui.date(mask="YYYY-MM-DD").bind_value(picker)
            icon.on("click", menu.open)

        def choose() -> None:
            text = str(picker.value or "").strip()
            try:
                chosen = date.fromisoformat(text)
            except ValueError:
                picker.props('error error-message="Use the form 2026-11-26."')
                return
            picker.props(remove="error error-message")
            if chosen != day:
                ui.navigate.to(f"{path}?date={chosen.isoformat()}")

        calendar.on_value_change(choose)
        picker.on("keydown.enter", choose)
        picker.on("blur", choose)
