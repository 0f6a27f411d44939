"""Serve the consoles (NiceGUI) from the API's process, on the same port."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import FastAPI
from nicegui import ui

from fleetline.bootstrap import Services
from fleetline.ui import context

_registered: list[bool] = []


def _register_pages() -> None:
    """Register every console's pages, once per process."""
    if _registered:
        return
    from fleetline.ui import dispatch_edits, dispatch_figures
    from fleetline.ui.admin import page as admin_page
    from fleetline.ui.dispatch import page as dispatch_page
    from fleetline.ui.dispatch_controls import page as controls_page
    from fleetline.ui.driver import page as driver_page
    from fleetline.ui.pages import sign_in
    from fleetline.ui.service import page as service_page

    registers: list[Callable[[], None]] = [
        sign_in.register,
        driver_page.register,
        dispatch_page.register,
        dispatch_edits.register,
        controls_page.register,
        dispatch_figures.register,
        service_page.register,
        admin_page.register,
    ]
    for register in registers:
        register()
    _registered.append(True)


def mount_consoles(app: FastAPI, services: Services, storage_secret: str | None = None) -> None:
    """Mount the consoles on ``app``, acting on ``services``.

    Parameters
    ----------
    app
        The API's application; the consoles answer the paths it does not.
    services
        What the consoles read and command.
    storage_secret
        Signs the browsers' session cookies; a fresh one per process when not given
        (sessions then end with the process).
    """
    context.use(services)
    _register_pages()
    ui.run_with(
        app,
        title="Fleetline",
        favicon="🚚",
        storage_secret=storage_secret or secrets.token_urlsafe(32),
        show_welcome_message=False,
        reconnect_timeout=30.0,
    )
