"""Bearer tokens: list, create (the secret shown once), revoke. Admins only."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from fleetline.api.deps import IdempotencyKey, PathId, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.api.schemas_admin import IssuedTokenOut, TokenIn, TokenOut
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.operations.admin_tokens import IssuedToken

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["administration"])
AdminOnly = Annotated[ApiToken, Depends(require(Role.ADMIN))]


def token_body(token: ApiToken) -> dict[str, Any]:
    """A token as the API shows it: never the secret nor its hash."""
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "driver_id": token.driver_id,
        "created_at": token.created_at.isoformat(),
        "revoked": token.revoked,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(services: ServicesDep, token: AdminOnly) -> list[dict[str, Any]]:
    """Every token, revoked ones included, by role and name."""
    with services.uow_factory() as uow:
        tokens = uow.tokens.list()
    return [token_body(t) for t in sorted(tokens, key=lambda t: (t.role.value, t.name, t.id))]


@router.post("/tokens", status_code=201, response_model=IssuedTokenOut)
def create_token(
    body: TokenIn,
    request: Request,
    services: ServicesDep,
    token: AdminOnly,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a token; the answer holds its secret (``token``) this once.

    Only the secret's SHA-256 hash is stored. A retry with the same ``Idempotency-Key``
    answers the same token with ``token: null``, since the secret cannot be shown again.
    """
    command = commands.IssueToken(role=body.role, name=body.name, driver_id=body.driver_id)
    issued: list[IssuedToken] = []

    def render(result: IssuedToken) -> tuple[int, Any]:
        issued.append(result)
        return 201, {**token_body(result.token), "token": None}

    response = execute(
        services, token, command, render, request=request, body=body, idempotency_key=key
    )
    if not issued or response.headers.get("Idempotent-Replayed"):
        return response
    content = json.loads(bytes(response.body))
    content["token"] = issued[-1].secret
    return JSONResponse(content, status_code=201)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(
    token_id: PathId,
    request: Request,
    services: ServicesDep,
    token: AdminOnly,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Revoke a token at once: its next request is refused.

    409 when it is already revoked, when it is the token making this request, or when
    it is the last admin token.
    """
    command = commands.RevokeToken(token_id=token_id, by_token_id=token.id)
    return execute(
        services,
        token,
        command,
        lambda revoked: (200, token_body(revoked)),
        request=request,
        body={"token_id": token_id},
        idempotency_key=key,
    )
