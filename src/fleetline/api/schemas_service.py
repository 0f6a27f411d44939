"""Bodies of customer service's API: order status, search, inquiries, messages, the hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from fleetline.api import presenters
from fleetline.api.schemas import ApiModel
from fleetline.domain.messages import Inquiry, MessageHold, Notification
from fleetline.domain.model import Client
from fleetline.operations.order_history import HistoryEntry
from fleetline.operations.order_status import OrderStatus
from fleetline.operations.ports_search import OrderHit
from fleetline.operations.search import SearchResult


class InquiryIn(ApiModel):
    """A client's call or message: how they reached us, and what they said."""

    channel: str = Field(
        max_length=40,
        examples=["phone"],
        description="phone, email, chat, sms, tracking_page or other",
    )
    note: str = Field(default="", max_length=4000, examples=["Asked whether it comes today"])


class HoldIn(ApiModel):
    """Hold client messages (a major incident) or let them go again."""

    held: bool
    reason: str = Field(default="", max_length=500, examples=["Flooding on the A13"])


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _window(start: datetime | None, end: datetime | None) -> dict[str, str] | None:
    if start is None or end is None:
        return None
    return {"start": start.isoformat(), "end": end.isoformat()}


def notification_body(n: Notification) -> dict[str, Any]:
    """A message as an agent sees it: what, to whom, where it stands, what went wrong."""
    return {
        "id": n.id,
        "order_id": n.order_id,
        "client_id": n.client_id,
        "event": n.kind.value,
        "channel": n.channel.value,
        "status": n.status.value,
        "recipient": n.recipient,
        "subject": n.subject,
        "locale": n.locale,
        "window": _window(n.window_start, n.window_end),
        "created_at": n.created_at.isoformat(),
        "cause_at": n.cause_at.isoformat(),
        "not_before": n.not_before.isoformat(),
        "next_attempt_at": _at(n.next_attempt_at),
        "sent_at": _at(n.sent_at),
        "attempts": n.attempts,
        "last_error": n.last_error,
    }


def inquiry_body(i: Inquiry) -> dict[str, Any]:
    """An inquiry as logged."""
    return {
        "id": i.id,
        "order_id": i.order_id,
        "client_id": i.client_id,
        "channel": i.channel.value,
        "note": i.note,
        "at": i.at.isoformat(),
        "by": i.by,
    }


def hold_body(hold: MessageHold) -> dict[str, Any]:
    """The message hold."""
    return {"held": hold.held, "reason": hold.reason, "by": hold.by, "since": _at(hold.since)}


def _history(entry: HistoryEntry) -> dict[str, str]:
    return {"at": entry.at.isoformat(), "kind": entry.kind, "detail": entry.detail}


def _client(client: Client | None) -> dict[str, Any] | None:
    if client is None:
        return None
    return {
        "id": client.id,
        "name": client.name,
        "priority": client.priority,
        "notes": client.notes,
        "email": client.contact.email,
        "phone": client.contact.phone,
    }


def status_body(status: OrderStatus) -> dict[str, Any]:
    """The order status of API.md, with everything else one screen needs."""
    order = status.order
    position = status.position
    return {
        "order_id": order.id,
        "reference": order.reference,
        "date": order.date.isoformat(),
        "address": order.address,
        "instructions": order.instructions,
        "state": order.state.value,
        "summary": status.summary,
        "on_live_plan": status.on_live_plan,
        "vehicle_id": status.vehicle_id,
        "vehicle_position": {
            "lat": position.location.lat,
            "lon": position.location.lon,
            "recorded_at": _at(position.recorded_at),
            "speed_mps": position.speed_mps,
        }
        if position
        else None,
        "eta": _at(status.eta),
        "eta_window": _window(*status.eta_window) if status.eta_window else None,
        "no_eta": status.no_eta,
        "promised_window": _window(status.promised_window.start, status.promised_window.end)
        if status.promised_window
        else None,
        "time_windows": presenters.windows(order.time_windows),
        "risk": status.risk.value if status.risk else None,
        "stops_before": status.stops_before,
        "delay_reason": status.delay_reason,
        "open_exceptions": list(status.open_exceptions),
        "actual_at": _at(status.actual_at),
        "failure_reason": status.failure_reason,
        "proof_of_delivery": status.proof,
        "updated_at": _at(status.updated_at),
        "client": _client(status.client),
        "driver_first_name": status.driver_first_name,
        "history": [_history(entry) for entry in status.history],
        "notifications": [notification_body(n) for n in status.notifications],
        "inquiries": [inquiry_body(i) for i in status.inquiries],
    }


def _order_hit(hit: OrderHit) -> dict[str, Any]:
    return {
        "order_id": hit.order_id,
        "reference": hit.reference,
        "client_id": hit.client_id,
        "client_name": hit.client_name,
        "date": hit.date.isoformat(),
        "state": hit.state.value,
        "address": hit.address,
    }


def search_body(result: SearchResult) -> dict[str, Any]:
    """Orders and clients found."""
    return {
        "orders": [_order_hit(hit) for hit in result.orders],
        "clients": [
            {
                "id": c.id,
                "name": c.name,
                "email": c.contact.email,
                "phone": c.contact.phone,
                "priority": c.priority,
            }
            for c in result.clients
        ],
    }
