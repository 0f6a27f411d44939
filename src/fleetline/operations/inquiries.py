"""Logging a client's inquiry: one call for the agent, counted per day in the measures."""

from __future__ import annotations

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import InvalidField, NotFound
from fleetline.domain.messages import Inquiry, InquiryChannel
from fleetline.operations.ports import UnitOfWork

CHANNELS = ", ".join(channel.value for channel in InquiryChannel)


def inquiry_channel(value: str) -> InquiryChannel:
    """Return the channel named ``value``.

    Raises
    ------
    InvalidField
        On ``channel`` when ``value`` names no channel.
    """
    try:
        return InquiryChannel(value)
    except ValueError:
        raise InvalidField("channel", f"must be one of: {CHANNELS}") from None


def log_inquiry(command: commands.LogInquiry, uow: UnitOfWork, context: Context) -> Inquiry:
    """Store a client's inquiry about an order and record :class:`InquiryLogged`.

    Raises
    ------
    InvalidField
        On ``channel`` or ``note``.
    NotFound
        When the order does not exist.
    """
    channel = inquiry_channel(command.channel)
    order = uow.orders.get(command.order_id)
    if order is None:
        raise NotFound("order", command.order_id)
    now = context.clock.now()
    inquiry = Inquiry(
        id=context.ids("inq"),
        order_id=order.id,
        client_id=order.client_id,
        channel=channel,
        at=now,
        note=command.note.strip(),
        by=command.by,
    )
    uow.inquiries.add(inquiry)
    uow.record(
        events.InquiryLogged(
            occurred_at=now,
            inquiry_id=inquiry.id,
            order_id=order.id,
            client_id=order.client_id,
            channel=channel.value,
        )
    )
    return inquiry
