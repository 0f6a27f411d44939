"""How the service console says things: times in the company's zone, states and risks in words."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from fleetline.domain.live import Risk
from fleetline.domain.messages import NoticeStatus
from fleetline.domain.model import OrderState

RISK_WORDS = {Risk.ON_TIME: "On time", Risk.AT_RISK: "At risk", Risk.LATE: "Late"}
RISK_COLOURS = {Risk.ON_TIME: "positive", Risk.AT_RISK: "warning", Risk.LATE: "negative"}

STATE_WORDS = {
    OrderState.OPEN: "Not planned yet",
    OrderState.PLANNED: "Planned, not dispatched",
    OrderState.DISPATCHED: "On the truck",
    OrderState.EN_ROUTE: "On its way",
    OrderState.ARRIVED: "Truck is there",
    OrderState.COMPLETED: "Delivered",
    OrderState.FAILED: "Delivery failed",
    OrderState.CANCELLED: "Cancelled",
}
STATE_COLOURS = {
    OrderState.COMPLETED: "positive",
    OrderState.FAILED: "negative",
    OrderState.CANCELLED: "grey-7",
    OrderState.ARRIVED: "teal",
    OrderState.EN_ROUTE: "primary",
    OrderState.DISPATCHED: "primary",
}

STATUS_WORDS = {
    NoticeStatus.QUEUED: "waiting to leave",
    NoticeStatus.SENDING: "sending",
    NoticeStatus.SENT: "sent",
    NoticeStatus.RECORDED: "recorded (channel not set up)",
    NoticeStatus.PARKED: "parked: failed, needs a retry",
    NoticeStatus.CANCELLED: "cancelled",
}

PRIORITY_WORDS = {1: "highest", 2: "high", 3: "normal", 4: "low", 5: "lowest"}


def clock(moment: datetime, zone: tzinfo) -> str:
    """``14:05`` in ``zone``."""
    return f"{moment.astimezone(zone):%H:%M}"


def window(start: datetime, end: datetime, zone: tzinfo) -> str:
    """``09:40 – 10:10`` in ``zone`` (with the day when it is not the start's)."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    tail = f"{last:%H:%M}" if first.date() == last.date() else f"{last:%a %H:%M}"
    return f"{first:%H:%M} – {tail}"


def moment(at: datetime, zone: tzinfo, today: date) -> str:
    """``08:12`` today, ``Mon 13 Jan 08:12`` another day, in ``zone``."""
    local = at.astimezone(zone)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"


def day(value: date, today: date) -> str:
    """``today``, ``tomorrow``, ``yesterday`` or ``Mon 13 Jan``."""
    offset = (value - today).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset, f"{value:%a %d %b}")


def humanise(code: str) -> str:
    """``out_for_delivery`` as ``out for delivery``."""
    return code.replace("_", " ")
