"""The FastAPI application of API v1."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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

    _declare_bearer_tokens(app)

    @app.get("/health", tags=["system"])
    def health() -> dict[str, Any]:
        """Whether the service is up, and its version."""
        return {"status": "ok", "version": __version__}

    return app


PUBLIC_PATHS = ("/health", "/track/")
"""Operations anyone may call: the health check and the client's tracking page."""


def _declare_bearer_tokens(app: FastAPI) -> None:
    """Publish in the schema that API v1 takes ``Authorization: Bearer <token>``.

    Routes read the header themselves (to answer 401 naming it); the schema says so as a
    security scheme, so that generated clients send it, and marks the public operations.
    """

    def schema() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        document.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "A Fleetline token."}
        }
        for path, operations in document["paths"].items():
            public = path.startswith(PUBLIC_PATHS)
            for operation in operations.values():
                operation["security"] = [] if public else [{"bearer": []}]
        app.openapi_schema = document
        return document

    app.openapi = schema  # type: ignore[method-assign]
