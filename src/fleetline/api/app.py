"""The FastAPI application of API v1."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from fleetline import __version__
from fleetline.api.body_limits import LimitBodies
from fleetline.api.deps import token_of
from fleetline.api.errors import install_error_handlers
from fleetline.api.nul_bytes import RefuseNulBytes
from fleetline.api.routers import (
    admin_tokens,
    client_messages,
    company,
    driver,
    exceptions,
    live,
    manual_edits,
    master_data,
    measures,
    order_import,
    orders,
    plans,
    policies,
    service,
    telemetry,
    tracking,
)
from fleetline.bootstrap import Services


def create_app(services: Services) -> FastAPI:
    """Build the API on ``services``; nothing starts until the app is served."""
    app = FastAPI(
        title="Fleetline API",
        version=__version__,
        description="The live operations platform for distribution fleets: API v1.",
        openapi_url="/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(RefuseNulBytes)
    app.add_middleware(
        LimitBodies, known_token=lambda secret: token_of(services, secret) is not None
    )
    app.include_router(master_data.router)
    app.include_router(orders.router)
    app.include_router(plans.router)
    app.include_router(manual_edits.router)
    app.include_router(telemetry.router)
    app.include_router(live.router)
    app.include_router(measures.router)
    app.include_router(exceptions.router)
    app.include_router(policies.router)
    app.include_router(service.router)
    app.include_router(client_messages.router)
    app.include_router(tracking.router)
    app.include_router(driver.router)
    app.include_router(order_import.router)
    app.include_router(admin_tokens.router)
    app.include_router(company.router)

    @app.get("/health", tags=["system"])
    def health() -> dict[str, Any]:
        """Whether the service is up, and its version."""
        return {"status": "ok", "version": __version__}

    return app
