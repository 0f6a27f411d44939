"""Orders: receive one or thousands, read a day's, change one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Discriminator, Tag

from fleetline.api import presenters
from fleetline.api.deps import (
    PLANNERS,
    STAFF,
    IdempotencyKey,
    PathId,
    ServicesDep,
    execute,
    require,
)
from fleetline.api.schemas import (
    ERROR_RESPONSES,
    Day,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderPatch,
    TimeWindowBody,
)
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound
from fleetline.domain.model import Location, Order, TimeWindow

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["orders"])
Writer = Annotated[ApiToken, Depends(require(*PLANNERS))]
Changer = Annotated[ApiToken, Depends(require(*PLANNERS, Role.AGENT))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]
MAX_BATCH = 10_000
PAGE = 1000


def _shape(value: Any) -> str:
    return "order_list" if isinstance(value, list) else "single_order"


OrdersBody = Annotated[
    Annotated[OrderIn, Tag("single_order")]
    | Annotated[list[OrderIn], Tag("order_list"), Body(max_length=MAX_BATCH)],
    Discriminator(_shape),
    Body(description=f"One order, or a list of up to {MAX_BATCH:,} stored all or none."),
]


def _windows(bodies: list[TimeWindowBody]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow(w.start, w.end) for w in bodies)


def _draft(body: OrderIn) -> commands.OrderDraft:
    return commands.OrderDraft(
        client_id=body.client_id,
        date=body.date,
        location=Location(body.location.lat, body.location.lon),
        time_windows=_windows(body.time_windows),
        demand=body.demand,
        service_s=body.service_s,
        required_skills=frozenset(body.required_skills),
        reference=body.reference,
        address=body.address,
        instructions=body.instructions,
    )


@router.post("/orders", status_code=201, response_model=OrderOut | list[OrderOut])
def create_orders(
    body: OrdersBody,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Create one order, or a batch of orders stored all or none.

    Errors in a batch name the order by its index, e.g. ``[12].time_windows[0].end``.
    """
    single = not isinstance(body, list)
    batch = [body] if isinstance(body, OrderIn) else body
    if not batch:
        raise InvalidField("body", "the list of orders is empty")
    command = commands.CreateOrders(orders=tuple(_draft(item) for item in batch))

    def render(orders: list[Order]) -> tuple[int, Any]:
        bodies = [presenters.order(o) for o in orders]
        return 201, bodies[0] if single else bodies

    try:
        return execute(
            services, token, command, render, request=request, body=body, idempotency_key=key
        )
    except DomainError as error:
        raise _unbatched(error) if single else error from None


def _unbatched(error: DomainError) -> DomainError:
    """Drop the ``[0].`` of a one-order request from the field an error names."""
    field = getattr(error, "field", None)
    if not field or not field.startswith("[0]."):
        return error
    plain = field.removeprefix("[0].")
    if isinstance(error, InvalidField):
        return InvalidField(plain, error.message)
    if isinstance(error, NotFound):
        return NotFound(error.kind, error.identifier, field=plain)
    if isinstance(error, Conflict):
        return Conflict(str(error), field=plain)
    return error


@router.get("/orders", response_model=OrderPage)
def list_orders(
    services: ServicesDep,
    token: Reader,
    day: Annotated[Day, Query(alias="date", description="The delivery day.")],
    limit: Annotated[int, Query(ge=1, le=PAGE)] = PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """The orders of a day, a page of up to 1,000 at a time."""
    with services.uow_factory() as uow:
        total = uow.orders.count_by_date(day)
        orders = uow.orders.list_by_date(day, limit=limit, offset=offset)
    following = offset + len(orders)
    return {
        "orders": [presenters.order(o) for o in orders],
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": following if following < total else None,
    }


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: PathId, services: ServicesDep, token: Reader) -> dict[str, Any]:
    """One order."""
    with services.uow_factory() as uow:
        order = uow.orders.get(order_id)
    if order is None:
        raise NotFound("order", order_id)
    return presenters.order(order)


@router.patch("/orders/{order_id}", response_model=OrderOut)
def change_order(
    order_id: PathId,
    body: OrderPatch,
    request: Request,
    services: ServicesDep,
    token: Changer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A client's change, e.g. new time windows; only the fields given change."""
    command = commands.ChangeOrder(
        order_id=order_id,
        time_windows=_windows(body.time_windows) if body.time_windows is not None else None,
        demand=body.demand,
        service_s=body.service_s,
        instructions=body.instructions,
        address=body.address,
    )
    return execute(
        services,
        token,
        command,
        lambda o: (200, presenters.order(o)),
        request=request,
        body=body,
        idempotency_key=key,
    )
