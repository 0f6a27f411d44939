"""An agent's own message to an order's client, sent through the outbox like every other.

The text is told with the order's reference and a tracking link, on each channel the
client accepts, in the same transaction as nothing else: once stored it will leave (or
wait for quiet hours or a hold to end), and the order's message list shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from fleetline.bus import Context
from fleetline.comms.compose import CommsConfig, Notice, addresses, queue_notices
from fleetline.domain import commands
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.messages import NoticeKind, Notification
from fleetline.operations.ports import UnitOfWork

MAX_TEXT = 1000
"""The longest message an agent may write (an SMS-friendly few paragraphs)."""

SendClientMessageHandler = Callable[
    [commands.SendClientMessage, UnitOfWork, Context], list[Notification]
]


def message_text(text: str) -> str:
    """Return ``text`` as it will be sent: trimmed, checked.

    Raises
    ------
    InvalidField
        On ``text`` when it is empty, longer than 1,000 characters or holds control
        characters other than line breaks and tabs.
    """
    cleaned = text.strip()
    if not cleaned:
        raise InvalidField("text", "write the message to send")
    if len(cleaned) > MAX_TEXT:
        raise InvalidField(
            "text", f"at most {MAX_TEXT:,} characters (this one has {len(cleaned):,})"
        )
    if any(not (character.isprintable() or character in "\n\r\t") for character in cleaned):
        raise InvalidField("text", "only printable characters and line breaks")
    return cleaned


def make_send_client_message(config: CommsConfig) -> SendClientMessageHandler:
    """Return the handler of :class:`~fleetline.domain.commands.SendClientMessage`.

    Parameters
    ----------
    config
        Where tracking pages live and the message templates.
    """

    def send_client_message(
        command: commands.SendClientMessage, uow: UnitOfWork, context: Context
    ) -> list[Notification]:
        """Queue the agent's text to the order's client, one message per channel.

        Raises
        ------
        InvalidField
            On ``text``.
        NotFound
            When the order does not exist.
        Conflict
            On ``client`` when the client can be reached on none of their channels
            (messages turned off, or no address for the channels they chose).
        """
        text = message_text(command.text)
        order = uow.orders.get(command.order_id)
        if order is None:
            raise NotFound("order", command.order_id)
        client = uow.clients.get(order.client_id)
        if client is None or not addresses(client):
            raise Conflict(
                "the client cannot be reached: no address on a channel they accept, "
                "or messages turned off",
                field="client",
            )
        notice = Notice(
            order_id=order.id,
            kind=NoticeKind.MESSAGE,
            cause_at=context.clock.now(),
            detail=context.ids("msg"),
            body=text,
        )
        return queue_notices(uow, context, config, [notice])

    return send_client_message
