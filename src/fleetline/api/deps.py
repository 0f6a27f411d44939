"""What every route needs: the services, the caller's token, and running a command."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from fleetline.api.errors import ApiError
from fleetline.bootstrap import Services
from fleetline.bus import IdempotentRequest, Replayed
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.commands import Command
from fleetline.operations.access import authenticate

STAFF = (Role.ADMIN, Role.DISPATCHER, Role.AGENT, Role.INTEGRATION)
PLANNERS = (Role.ADMIN, Role.DISPATCHER, Role.INTEGRATION)
MAX_IDEMPOTENCY_KEY = 200
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
"""What an id in a request's path may look like: Fleetline's own (``ord_3f9c1a2b7d4e5f60``)
and an integrator's references alike; anything else is refused before any query."""

PathId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        max_length=64,
        description="letters, digits and _ . : - (at most 64), starting with a letter or digit",
    ),
]
"""An id in a request's path, checked against :data:`ID_PATTERN`."""


def get_services(request: Request) -> Services:
    """Return the services the application was built with."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def token_of(services: Services, secret: str) -> ApiToken | None:
    """Return the live token whose secret is ``secret``, or ``None``."""
    if services.tokens is not None:
        return services.tokens.authenticate(secret)
    with services.uow_factory() as uow:
        return authenticate(uow, secret)


def require(*roles: Role) -> Callable[..., ApiToken]:
    """Return a dependency that admits a bearer token with one of ``roles``."""

    def dependency(
        services: ServicesDep,
        authorization: Annotated[str | None, Header()] = None,
    ) -> ApiToken:
        if not authorization:
            raise ApiError(401, "unauthorized", "missing bearer token", field="Authorization")
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(
                401, "unauthorized", "expected 'Authorization: Bearer <token>'", "Authorization"
            )
        token = token_of(services, secret.strip())
        if token is None:
            raise ApiError(401, "unauthorized", "unknown or revoked token", field="Authorization")
        if token.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise ApiError(403, "forbidden", f"this needs one of the roles: {allowed}")
        return token

    return dependency


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying a write with the same key returns the first answer.",
    ),
]


def execute(
    services: Services,
    token: ApiToken,
    command: Command,
    render: Callable[[Any], tuple[int, Any]],
    *,
    request: Request,
    body: Any,
    idempotency_key: str | None,
) -> JSONResponse:
    """Handle ``command`` on the bus and answer with ``render(result)``.

    With an ``Idempotency-Key``, the answer is stored in the same transaction as the
    change, and a retry gets the stored answer back without changing anything.
    """
    rendered: list[tuple[int, Any]] = []

    def render_once(result: Any) -> tuple[int, Any]:
        status, content = render(result)
        rendered.append((status, jsonable_encoder(content)))
        return rendered[-1]

    idempotency = None
    if idempotency_key is not None:
        if (
            not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY
            or not idempotency_key.isprintable()
        ):
            raise ApiError(
                400,
                "bad_idempotency_key",
                "must be 1 to 200 printable characters",
                "Idempotency-Key",
            )
        canonical = json.dumps(jsonable_encoder(body), sort_keys=True).encode()
        idempotency = IdempotentRequest(
            principal=token.id,
            key=idempotency_key,
            method=request.method,
            path=request.url.path,
            body=canonical,
            render=render_once,
        )
    result = services.bus.handle(command, idempotency)
    if isinstance(result, Replayed):
        return JSONResponse(
            result.body, status_code=result.status_code, headers={"Idempotent-Replayed": "true"}
        )
    status, content = rendered[-1] if rendered else render_once(result)
    return JSONResponse(content, status_code=status)
