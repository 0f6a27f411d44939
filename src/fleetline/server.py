"""``fleetline serve``: the API (and, as they come, the consoles) in one process."""

from __future__ import annotations

import logging

import uvicorn
from fastapi import FastAPI

from fleetline.api.app import create_app
from fleetline.bootstrap import Services, bootstrap
from fleetline.domain.access import Role
from fleetline.operations.access import has_admin, issue_token
from fleetline.settings import Settings


def build_app(services: Services) -> FastAPI:
    """Return the web application of ``services``: API, tracking pages and consoles."""
    from fleetline.ui.mount import mount_consoles

    app = create_app(services)
    mount_consoles(app, services, services.settings.ui_secret)
    return app


def ensure_admin(services: Services) -> str | None:
    """Create an admin token on a database that has none; return it (shown once)."""
    with services.uow_factory() as uow:
        if has_admin(uow):
            return None
        secret, _ = issue_token(uow, services.bus.context, Role.ADMIN, "first admin")
        uow.commit()
    return secret


def serve(services: Services, host: str, port: int) -> None:
    """Serve ``services`` until interrupted, then stop the workers."""
    try:
        uvicorn.run(build_app(services), host=host, port=port, log_level="info")
    finally:
        services.close()


def run_server(host: str | None, port: int | None) -> None:
    """Start Fleetline on the configured database and road network."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    services = bootstrap(settings)
    secret = ensure_admin(services)
    if secret:
        print(f"A new admin token (shown once, keep it safe): {secret}", flush=True)
    serve(services, settings.host, settings.port)
