"""Customer service: an order's status on one screen, search, inquiries, messages, the hold."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from fleetline.api.deps import STAFF, IdempotencyKey, PathId, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES, Day
from fleetline.api.schemas_service import (
    HoldIn,
    InquiryIn,
    hold_body,
    inquiry_body,
    notification_body,
    search_body,
    status_body,
)
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import InvalidField, NotFound
from fleetline.domain.messages import NoticeStatus
from fleetline.operations.message_hold import waiting_messages
from fleetline.operations.order_status import order_status
from fleetline.operations.picture_reads import read_with_picture
from fleetline.operations.search import DEFAULT_LIMIT, MAX_LIMIT, search

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["customer service"])
Staff = Annotated[ApiToken, Depends(require(*STAFF))]
Dispatcher = Annotated[ApiToken, Depends(require(Role.ADMIN, Role.DISPATCHER))]
MAX_MESSAGES = 1000
STATUSES = ", ".join(status.value for status in NoticeStatus)


@router.get("/orders/{order_id}/status")
def get_order_status(order_id: PathId, services: ServicesDep, token: Staff) -> dict[str, Any]:
    """Where is my delivery? The order's state, truck, ETA window, promised window and risk.

    Also: stops before it, the reason for any delay in words, the client, the driver's
    first name, the order's history, every message about it and every inquiry. Orders
    delivered or failed give their actual time (and reason) instead of an ETA.
    """
    now = services.clock.now()
    status = read_with_picture(
        services.uow_factory,
        services.live,
        lambda uow, picture_of: order_status(uow, picture_of, order_id, now),
    )
    return status_body(status)


@router.get("/search")
def search_orders_and_clients(
    services: ServicesDep,
    token: Staff,
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="A client's name, an order reference or id, a phone or an email.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    day: Annotated[Day | None, Query(alias="date", description="Only orders of this day.")] = None,
) -> dict[str, Any]:
    """Orders and clients matching a name, a reference, a phone (digits only) or an email."""
    with services.uow_factory() as uow:
        result = search(uow, q, limit, day)
    return search_body(result)


@router.post("/orders/{order_id}/inquiries", status_code=201)
def log_inquiry(
    order_id: PathId,
    body: InquiryIn,
    request: Request,
    services: ServicesDep,
    token: Staff,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Log a client's call or message about the order (counted per day in the measures)."""
    command = commands.LogInquiry(
        order_id=order_id, channel=body.channel, note=body.note, by=token.name
    )
    return execute(
        services,
        token,
        command,
        lambda inquiry: (201, inquiry_body(inquiry)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/orders/{order_id}/inquiries")
def list_inquiries(order_id: PathId, services: ServicesDep, token: Staff) -> list[dict[str, Any]]:
    """The inquiries about the order, oldest first."""
    with services.uow_factory() as uow:
        if uow.orders.get(order_id) is None:
            raise NotFound("order", order_id)
        inquiries = uow.inquiries.for_order(order_id)
    return [inquiry_body(i) for i in inquiries]


@router.get("/notifications/hold")
def get_message_hold(services: ServicesDep, token: Dispatcher) -> dict[str, Any]:
    """Whether client messages are held, since when, by whom and why.

    ``waiting`` counts the messages queued in the outbox (those the hold keeps back).
    """
    with services.uow_factory() as uow:
        return hold_body(uow.comms_settings.hold()) | {"waiting": waiting_messages(uow)}


@router.put("/notifications/hold")
def put_message_hold(
    body: HoldIn,
    request: Request,
    services: ServicesDep,
    token: Dispatcher,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Hold client messages during a major incident (a reason is required), or release them.

    Held messages wait in the outbox and leave once the hold is released.
    """
    command = commands.SetMessageHold(held=body.held, reason=body.reason, by=token.name)
    return execute(
        services,
        token,
        command,
        lambda hold: (200, hold_body(hold)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/notifications")
def list_notifications(
    services: ServicesDep,
    token: Staff,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=20, description=f"One of: {STATUSES}.")] = None,
) -> list[dict[str, Any]]:
    """Every message about an order (``order_id``), or every message in a ``status``.

    ``?status=parked`` lists the messages that kept failing and wait for a person.
    """
    wanted = None
    if status is not None:
        try:
            wanted = NoticeStatus(status)
        except ValueError:
            raise InvalidField("status", f"must be one of: {STATUSES}") from None
    if order_id is None and wanted is None:
        raise InvalidField("order_id", "give an order_id or a status")
    with services.uow_factory() as uow:
        if order_id is not None:
            if uow.orders.get(order_id) is None:
                raise NotFound("order", order_id, field="order_id")
            found = uow.notifications.for_order(order_id)
            if wanted is not None:
                found = [n for n in found if n.status is wanted]
        else:
            assert wanted is not None
            found = uow.notifications.in_status(wanted, limit=MAX_MESSAGES)
    return [notification_body(n) for n in found]


@router.post("/notifications/{notification_id}/retry")
def retry_notification(
    notification_id: PathId,
    request: Request,
    services: ServicesDep,
    token: Staff,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Queue a parked message again; it leaves at the outbox's next round."""
    command = commands.RetryNotification(notification_id=notification_id, by=token.name)
    return execute(
        services,
        token,
        command,
        lambda n: (200, notification_body(n)),
        request=request,
        body={"notification_id": notification_id},
        idempotency_key=key,
    )
