"""Handlers for orders: receiving them (one or thousands at once) and changing them."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.model import FINAL_ORDER_STATES, Order
from fleetline.domain.values import validate_windows_on_day
from fleetline.operations.company import company_zone
from fleetline.operations.ports import UnitOfWork


def create_orders(command: commands.CreateOrders, uow: UnitOfWork, context: Context) -> list[Order]:
    """Store every order of the batch, or none of them.

    Errors name the offending order by its index in the batch, e.g. ``[12].client_id``.
    """
    drafts = command.orders
    known_clients = {c.id for c in uow.clients.get_many({d.client_id for d in drafts})}
    seen_references: dict[tuple[str, str], int] = {}
    for index, draft in enumerate(drafts):
        if draft.client_id not in known_clients:
            raise NotFound("client", draft.client_id, field=f"[{index}].client_id")
        if draft.reference is not None:
            pair = (draft.client_id, draft.reference)
            if pair in seen_references:
                raise Conflict(
                    f"reference {draft.reference!r} appears twice for client {draft.client_id}"
                    f" (orders {seen_references[pair]} and {index})",
                    field=f"[{index}].reference",
                )
            seen_references[pair] = index
    clashes = uow.orders.existing_references(seen_references)
    if clashes:
        client_id, reference = min(clashes, key=lambda pair: seen_references[pair])
        index = seen_references[(client_id, reference)]
        raise Conflict(
            f"client {client_id} already has an order with reference {reference!r}",
            field=f"[{index}].reference",
        )
    orders = [_order_from(draft, index, context) for index, draft in enumerate(drafts)]
    zone = company_zone(uow)
    today = context.clock.now().astimezone(zone).date()
    for index, order in enumerate(orders):
        try:
            context.horizon.check(order.date, today)
            validate_windows_on_day(order.time_windows, order.date, zone)
        except InvalidField as error:
            raise error.within(f"[{index}]") from error
    uow.orders.add_many(orders)
    by_day: dict[date, list[str]] = defaultdict(list)
    for order in orders:
        by_day[order.date].append(order.id)
    now = context.clock.now()
    for day, ids in sorted(by_day.items()):
        uow.record(events.OrdersCreated(occurred_at=now, date=day, order_ids=tuple(ids)))
    return orders


def _order_from(draft: commands.OrderDraft, index: int, context: Context) -> Order:
    try:
        return Order(
            id=context.ids("ord"),
            client_id=draft.client_id,
            date=draft.date,
            location=draft.location,
            time_windows=draft.time_windows,
            demand=draft.demand,
            service_s=draft.service_s,
            required_skills=draft.required_skills,
            reference=draft.reference,
            address=draft.address,
            instructions=draft.instructions,
        )
    except InvalidField as error:
        raise error.within(f"[{index}]") from error


def change_order(command: commands.ChangeOrder, uow: UnitOfWork, context: Context) -> Order:
    """Apply a client's or dispatcher's change to an order that is not yet final."""
    order = uow.orders.get(command.order_id)
    if order is None:
        raise NotFound("order", command.order_id)
    if order.state in FINAL_ORDER_STATES:
        raise Conflict(f"order {order.id} is {order.state.value} and can no longer change")
    changes: dict[str, object] = {}
    for name in ("time_windows", "demand", "service_s", "instructions", "address"):
        value = getattr(command, name)
        if value is not None and value != getattr(order, name):
            changes[name] = value
    if not changes:
        return order  # the order already reads so: nothing to record or re-plan
    if "time_windows" in changes:
        validate_windows_on_day(command.time_windows or (), order.date, company_zone(uow))
    changed = dataclasses.replace(order, **changes)  # type: ignore[arg-type]
    uow.orders.update(changed)
    uow.record(
        events.OrderChanged(
            occurred_at=context.clock.now(),
            order_id=order.id,
            changes={name: _loggable(value) for name, value in changes.items()},
        )
    )
    return changed


def _loggable(value: object) -> object:
    if isinstance(value, tuple):
        return [
            {"start": w.start.isoformat(), "end": w.end.isoformat()} if hasattr(w, "start") else w
            for w in value
        ]
    if isinstance(value, dict):
        return dict(value)
    return value
