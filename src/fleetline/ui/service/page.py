"""The service console at ``/service``: one search box, one order card.

For agents, dispatchers and admins. ``/service?order=ID`` opens an order's card
directly (the address follows the order opened, so it can be shared or reloaded).
"""

from __future__ import annotations

from nicegui import ui

from fleetline.domain.access import Role
from fleetline.ui.auth import require
from fleetline.ui.layout import frame
from fleetline.ui.service.order_card import OrderCard
from fleetline.ui.service.search_panel import SearchPanel

ROLES = (Role.AGENT, Role.DISPATCHER, Role.ADMIN)
STYLE = """
.fl-history .q-timeline__title { font-size: 0.875rem; font-weight: 600; margin: 0; }
.fl-history .q-timeline__subtitle { font-size: 0.75rem; margin-bottom: 0; opacity: 0.8; }
.fl-history .q-timeline__content { padding-bottom: 10px; font-size: 0.85rem; }
.fl-history .q-timeline__entry--icon .q-timeline__dot:before,
.fl-history .q-timeline__dot:before { width: 12px; height: 12px; }
.fl-order-card { scroll-margin-top: 112px; }
.fl-order-map .leaflet-tooltip { padding: 1px 5px; font-size: 11px; }
"""


def register() -> None:
    """Register the service console's page."""

    @ui.page("/service")
    def service_page(order: str | None = None) -> None:
        principal = require(*ROLES)
        if principal is None:
            return
        frame(principal, "Customer service")
        ui.add_css(STYLE)
        with ui.element("div").classes("w-full flex flex-col md:flex-row gap-4 items-start"):
            with ui.column().classes("w-full md:w-96 shrink-0 gap-2 fl-search-column"):
                search_slot = ui.column().classes("w-full gap-2")
            card_slot = ui.column().classes("w-full md:flex-1 min-w-0 fl-card-column")
        card = OrderCard(principal, card_slot)
        with search_slot:
            SearchPanel(card.open)
        if order:
            card.open(order[:64])
