"""One order on one screen: where it stands, its truck on a map, the client, what was said.

The card reads what ``GET /api/v1/orders/{id}/status`` reads and refreshes by itself
every ten seconds; the forms are built once per order so that a refresh never wipes a
note or a message being typed.
"""

from __future__ import annotations

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.errors import DomainError
from fleetline.ui.auth import Principal
from fleetline.ui.context import services
from fleetline.ui.service import card_lists, card_sections
from fleetline.ui.service.card_forms import InquiryForm, MessageForm
from fleetline.ui.service.order_map import OrderMap
from fleetline.ui.service.reading import read_card

REFRESH_S = 10.0


class OrderCard:
    """The card of the order the agent opened, in ``container``.

    Parameters
    ----------
    principal
        The signed-in agent (their name is recorded on what they log and send).
    container
        Where the card is drawn; emptied when another order is opened.
    """

    def __init__(self, principal: Principal, container: ui.element) -> None:
        self.principal = principal
        self.container = container
        self.order_id: str | None = None
        self.map: OrderMap | None = None
        self._standing: ui.element | None = None
        self._client: ui.element | None = None
        self._lists: ui.element | None = None
        self._placeholder()
        ui.timer(REFRESH_S, self.refresh)

    def _placeholder(self) -> None:
        with (
            self.container,
            ui.column().classes("w-full items-center q-pa-xl text-grey-7 fl-card-empty"),
        ):
            ui.icon("manage_search", size="48px")
            ui.label("Search a client, a reference, a phone or an email,").classes("text-body1")
            ui.label("then open an order to see where it stands.").classes("text-body1")

    def open(self, order_id: str) -> None:
        """Show the card of ``order_id`` (a word saying so when it does not exist)."""
        data = read_card(order_id)
        self.container.clear()
        self.order_id = None
        if data is None:
            with self.container:
                ui.label(f"No order {order_id!r}.").classes("text-h6 q-pa-lg fl-card-missing")
            return
        self.order_id = order_id
        ui.navigate.history.replace(f"/service?order={order_id}")
        with (
            self.container,
            ui.card().classes("w-full q-pa-md fl-order-card").props("flat bordered"),
        ):
            self._standing = ui.column().classes("w-full gap-1")
            with ui.element("div").classes("grid grid-cols-1 lg:grid-cols-2 gap-4 w-full"):
                with ui.column().classes("gap-2 min-w-0"):
                    self.map = OrderMap(services().settings.tile_url, services().road_layer)
                    self._client = ui.column().classes("w-full gap-1 q-mt-sm")
                with ui.column().classes("gap-3 min-w-0"):
                    InquiryForm(order_id, self.principal.name, self.refresh)
                    ui.separator()
                    MessageForm(order_id, self.principal.name, self.refresh)
            ui.separator().classes("q-my-md")
            self._lists = ui.element("div").classes("grid grid-cols-1 lg:grid-cols-3 gap-6 w-full")
        self._draw()
        ui.run_javascript(
            "document.querySelector('.fl-order-card')?.scrollIntoView({block: 'start'})"
        )

    def refresh(self) -> None:
        """Read the order again and redraw what may have changed."""
        if self.order_id is not None:
            self._draw()

    def _draw(self) -> None:
        if self.order_id is None:
            return
        data = read_card(self.order_id)
        if data is None or self._standing is None or self._client is None or self._lists is None:
            return
        self._standing.clear()
        with self._standing:
            card_sections.header(data)
            card_sections.where_it_stands(data)
        self._client.clear()
        with self._client:
            card_sections.client_and_delivery(data)
        self._lists.clear()
        with self._lists:
            with ui.column().classes("gap-2 min-w-0 fl-messages"):
                card_lists.messages(data, self.retry)
            with ui.column().classes("gap-2 min-w-0 fl-inquiries"):
                card_lists.inquiries(data)
            with ui.column().classes("gap-1 min-w-0 fl-history"):
                card_lists.history(data)
        if self.map is not None:
            self.map.show(data.view)

    def retry(self, notification_id: str) -> None:
        """Queue a parked message again, and say so."""
        command = commands.RetryNotification(
            notification_id=notification_id, by=self.principal.name
        )
        try:
            services().bus.handle(command)
        except DomainError as error:
            ui.notify(f"Not retried: {error}", type="warning")
        else:
            ui.notify("Message queued again.", type="positive")
        self.refresh()
