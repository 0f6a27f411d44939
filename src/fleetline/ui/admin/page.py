"""The admin console's page: one tab per job, each reading its data in a worker thread.

``/admin?tab=vehicles`` opens a section directly; the address follows the tab chosen, so
a reload stays where the admin was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain.access import Role
from fleetline.ui.admin.clients_panel import ClientsPanel
from fleetline.ui.admin.common import in_worker
from fleetline.ui.admin.drivers_panel import DriversPanel
from fleetline.ui.admin.import_panel import ImportPanel
from fleetline.ui.admin.reading import company_today, sample_client
from fleetline.ui.admin.tokens_panel import TokensPanel
from fleetline.ui.admin.vehicles_panel import VehiclesPanel
from fleetline.ui.auth import require
from fleetline.ui.context import services
from fleetline.ui.layout import frame

TABS = {
    "import": ("Orders import", "upload_file"),
    "vehicles": ("Vehicles", "local_shipping"),
    "drivers": ("Drivers", "badge"),
    "clients": ("Clients", "storefront"),
    "tokens": ("Tokens", "key"),
}
"""Each section: its address (``?tab=``), its title and its icon."""

PAGE_CSS = """
.fl-admin { width: 100%; max-width: 1100px; margin: 0 auto; }
.fl-admin .q-tab-panel { padding: 16px 0; }
.fl-form-card { width: min(680px, 94vw); max-width: 94vw; }
.fl-form-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 12px;
  width: 100%; }
.fl-admin-row { padding-top: 8px; padding-bottom: 8px; }
.fl-form-grid.fl-pairs { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; }
.fl-report td { white-space: normal; }
.fl-columns { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px;
  align-items: baseline; padding: 4px 8px 8px; }
.fl-upload .q-uploader__subtitle { display: none; }
.fl-upload .q-uploader__list { min-height: 64px; display: flex; align-items: center;
  justify-content: center; }
.fl-upload .q-uploader__list:empty::after { content: "Drop the file here, or press +";
  color: #616161; font-size: 0.875rem; }
@media (max-width: 599px) {
  .fl-form-grid { grid-template-columns: minmax(0, 1fr); }
  .fl-admin .q-tab { padding: 0 8px; min-width: 64px; }
  .fl-admin .q-tab__label { font-size: 0.75rem; }
  .fl-admin-page { padding: 8px !important; }
}
"""


def register() -> None:
    """Register the admin console's page."""

    @ui.page("/admin")
    async def admin_page(tab: str | None = None) -> None:
        principal = require(Role.ADMIN)
        if principal is None:
            return
        frame(principal, "Admin")
        ui.add_css(PAGE_CSS)
        chosen = tab if tab in TABS else "import"
        today = await in_worker(company_today)
        client = await in_worker(sample_client)
        loaders: dict[str, Callable[[], Awaitable[None]]] = {}

        async def changed(name: str) -> None:
            if name not in TABS:
                return
            ui.run_javascript(f"history.replaceState(null, '', '/admin?tab={name}')")
            if name in loaders:
                await loaders[name]()

        with ui.column().classes("fl-admin fl-admin-page q-pa-md gap-0"):
            with (
                ui.tabs()
                .classes("w-full text-blue-grey-9")
                .props("align=left no-caps mobile-arrows outside-arrows active-color=primary")
            ) as tabs:
                for name, (title, icon) in TABS.items():
                    ui.tab(name, title, icon).props(f'data-testid="tab-{name}"')
            tabs.set_value(chosen)
            tabs.on_value_change(lambda e: changed(str(e.value)))
            ui.separator()
            with ui.tab_panels(tabs, value=chosen, animated=False).classes("w-full"):
                with ui.tab_panel("import"):
                    ImportPanel(today, client)
                with ui.tab_panel("vehicles"):
                    loaders["vehicles"] = VehiclesPanel().load
                with ui.tab_panel("drivers"):
                    loaders["drivers"] = DriversPanel().load
                with ui.tab_panel("clients"):
                    loaders["clients"] = ClientsPanel().load
                with ui.tab_panel("tokens"):
                    base_url = services().settings.base_url()
                    loaders["tokens"] = TokensPanel(principal, base_url).load
        if chosen in loaders:  # the other sections read theirs when opened
            await loaders[chosen]()
