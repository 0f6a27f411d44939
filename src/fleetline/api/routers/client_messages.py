"""Customer service writes to a client: ``POST /api/v1/orders/{id}/messages``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from fleetline.api.deps import STAFF, IdempotencyKey, PathId, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES, ApiModel
from fleetline.api.schemas_service import notification_body
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.domain.messages import Notification

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["customer service"])
Staff = Annotated[ApiToken, Depends(require(*STAFF))]


class ClientMessageIn(ApiModel):
    """An agent's message to the order's client (at most 1,000 characters once trimmed)."""

    text: str = Field(
        max_length=4000,
        examples=["Your driver will call you ten minutes before arriving."],
        description="The message; the order's reference and a tracking link are added.",
    )


@router.post("/orders/{order_id}/messages", status_code=201)
def send_client_message(
    order_id: PathId,
    body: ClientMessageIn,
    request: Request,
    services: ServicesDep,
    token: Staff,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Send the client a message of the agent's own on each channel the client accepts.

    The messages go through the outbox (quiet hours and a hold apply) with a tracking
    link, and are listed by ``GET /api/v1/notifications?order_id=`` as event ``message``.
    A client reachable on no channel is a 409 naming ``client``.
    """
    command = commands.SendClientMessage(order_id=order_id, text=body.text, by=token.name)

    def render(queued: list[Notification]) -> tuple[int, dict[str, Any]]:
        return 201, {"order_id": order_id, "notifications": [notification_body(n) for n in queued]}

    return execute(
        services,
        token,
        command,
        render,
        request=request,
        body=body,
        idempotency_key=key,
    )
