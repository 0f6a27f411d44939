"""The one search box: results as the agent types, picked with a click or the keyboard.

Typing waits 300 ms of quiet before searching (at least two characters); Enter opens the
first order found, the down arrow moves into the list, and Tab/Enter walk and open it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nicegui import ui

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Client
from fleetline.operations.ports_search import OrderHit
from fleetline.operations.search import MIN_QUERY
from fleetline.ui.service import words
from fleetline.ui.service.reading import find, local_today

DEBOUNCE_MS = 300
_INTO_LIST = "() => document.querySelector('.fl-hit')?.focus()"


class SearchPanel:
    """The search box and its results; ``on_open`` is called with the order picked.

    Parameters
    ----------
    on_open
        Opens an order's card.
    """

    def __init__(self, on_open: Callable[[str], None]) -> None:
        self.on_open = on_open
        self.first: str | None = None
        self.box = ui.input(
            placeholder="Client name, reference, phone or email",
            on_change=lambda event: self.search(event.value or ""),
        ).props(f"outlined clearable autofocus debounce={DEBOUNCE_MS} type=search")
        self.box.classes("w-full").props('aria-label="Search"')
        with self.box.add_slot("prepend"):
            ui.icon("search")
        self.box.on("keydown.enter", self._open_first)
        self.box.on("keydown.down", js_handler=_INTO_LIST)
        self.results = ui.column().classes("w-full gap-1 fl-results")
        with self.results:
            self._hint(f"Type at least {MIN_QUERY} characters.")

    def _hint(self, text: str) -> None:
        ui.label(text).classes("text-caption text-grey-7 q-px-sm fl-hint")

    def _open_first(self) -> None:
        if self.first is not None:
            self.on_open(self.first)

    def search(self, query: str) -> None:
        """Search ``query`` and list what it finds."""
        self.results.clear()
        self.first = None
        self.box.error = None
        text = query.strip()
        with self.results:
            if len(text) < MIN_QUERY:
                self._hint(f"Type at least {MIN_QUERY} characters.")
                return
            try:
                found = find(text)
            except InvalidField as error:
                self.box.error = error.message
                return
            if not found.orders and not found.clients:
                self._hint(f"Nothing matches “{text}”.")
                return
            today = local_today()
            if found.clients:
                self._clients(found.clients)
            if found.orders:
                self.first = found.orders[0].order_id
                ui.label(f"Orders ({len(found.orders)})").classes(
                    "text-caption text-grey-7 q-px-sm q-mt-xs"
                )
                with ui.list().props("bordered separator dense").classes("w-full rounded"):
                    for hit in found.orders:
                        self._order(hit, today)
            else:
                self._hint("No order for these clients.")

    def _clients(self, clients: tuple[Client, ...]) -> None:
        with ui.row().classes("gap-1 q-px-xs items-center"):
            ui.label("Clients:").classes("text-caption text-grey-7")
            for client in clients[:6]:
                chip = ui.chip(f"{client.name} · P{client.priority}", icon="business")
                chip.props("dense outline color=deep-purple").tooltip(
                    client.notes or "No relationship notes"
                )

    def _order(self, hit: OrderHit, today: date) -> None:
        item = ui.item(on_click=lambda _, order_id=hit.order_id: self.on_open(order_id))
        item.classes("fl-hit").props(f"data-order-id={hit.order_id}")
        item.on("keydown.down", js_handler="(e) => e.target.nextElementSibling?.focus()")
        item.on("keydown.up", js_handler="(e) => e.target.previousElementSibling?.focus()")
        with item:
            with ui.item_section():
                ui.item_label(f"{hit.reference or hit.order_id} · {hit.client_name}").classes(
                    "text-weight-medium"
                )
                detail = " · ".join(p for p in (words.day(hit.date, today), hit.address) if p)
                ui.item_label(detail).props("caption lines=1")
            with ui.item_section().props("side"):
                ui.badge(
                    words.STATE_WORDS[hit.state], color=words.STATE_COLOURS.get(hit.state, "grey-8")
                ).props("outline")
