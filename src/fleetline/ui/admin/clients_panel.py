"""Clients: search the accounts, add one, edit priority, contact, notifications and notes."""

from __future__ import annotations

from nicegui import ui

from fleetline.domain.model import Client
from fleetline.ui.admin.client_form import CHANNELS, PRIORITIES, ClientForm
from fleetline.ui.admin.common import in_worker, section_title
from fleetline.ui.admin.reading import read_clients

SHOWN = 50
"""Accounts listed at once; the search narrows the rest."""
PRIORITY_COLOURS = {1: "deep-purple", 2: "indigo", 3: "blue-grey", 4: "grey-7", 5: "grey-6"}


def matches(client: Client, words: list[str]) -> bool:
    """Whether every word is in the client's name, email, phone or notes."""
    text = " ".join(
        part or ""
        for part in (client.name, client.contact.email, client.contact.phone, client.notes)
    ).casefold()
    return all(word in text for word in words)


class ClientsPanel:
    """The clients section."""

    def __init__(self) -> None:
        self._clients: tuple[Client, ...] = ()
        with ui.row().classes("w-full items-end justify-between gap-2"):
            section_title("Clients", "Priority decides who is served first when the fleet is full.")
            ui.button("Add a client", icon="add_business", on_click=lambda: self._open(None)).props(
                'unelevated color=primary no-caps data-testid="client-add"'
            )
        self._search = (
            ui.input(placeholder="Search by name, email, phone or notes", on_change=self._draw)
            .props('outlined dense clearable debounce=250 type=search aria-label="Search clients"')
            .classes("w-full")
        )
        with self._search.add_slot("prepend"):
            ui.icon("search")
        self._count = ui.label("").classes("text-caption text-grey-7")
        self._list = ui.column().classes("w-full gap-0")
        self._dialogs = ui.element("div")

    async def load(self) -> None:
        """Read the accounts and draw the list."""
        self._clients = await in_worker(read_clients)
        self._draw()

    def _draw(self) -> None:
        words = str(self._search.value or "").casefold().split()
        found = [c for c in self._clients if matches(c, words)]
        self._count.text = f"{len(found):,} of {len(self._clients):,} clients" + (
            f"; the first {SHOWN} are shown" if len(found) > SHOWN else ""
        )
        self._list.clear()
        with self._list:
            if not found:
                ui.label("No client matches." if words else "No clients yet.").classes(
                    "text-grey-7 q-pa-sm"
                )
                return
            with ui.list().props("bordered separator").classes("w-full rounded-borders"):
                for client in found[:SHOWN]:
                    self._row(client)

    def _row(self, client: Client) -> None:
        with ui.item().classes("fl-admin-row").props(f'data-client="{client.name}"'):
            with ui.item_section():
                with ui.row().classes("items-center gap-2 no-wrap"):
                    ui.badge(f"P{client.priority}", color=PRIORITY_COLOURS[client.priority]).props(
                        f'data-priority="{client.priority}"'
                    ).tooltip(PRIORITIES[client.priority])
                    ui.item_label(client.name).classes("text-weight-medium ellipsis")
                contact = (
                    " · ".join(p for p in (client.contact.email, client.contact.phone) if p)
                    or "no contact"
                )
                ui.item_label(contact).props("caption lines=1")
                prefs = client.preferences
                channels = ", ".join(CHANNELS[str(c)] for c in prefs.channels) or "none"
                told = f"Messages: {channels}" if prefs.enabled else "Messages: off"
                ui.item_label(told + (f" · {client.notes}" if client.notes else "")).props(
                    "caption lines=1"
                )
            with ui.item_section().props("side"):
                ui.button(icon="edit", on_click=lambda _e, c=client: self._open(c)).props(
                    f'flat round color=primary aria-label="Edit {client.name}"'
                )

    def _open(self, client: Client | None) -> None:
        self._dialogs.clear()
        with self._dialogs:
            ClientForm(client, self._saved).open()

    async def _saved(self, _client: Client) -> None:
        await self.load()
