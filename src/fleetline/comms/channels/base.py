"""What every channel promises the outbox dispatcher: send one message, or say why not.

A channel is an adapter (SMTP, an SMS provider's HTTP API, a client's webhook). It sends
one :class:`~fleetline.domain.messages.Notification` and returns, or raises

- :class:`TransientFailure` when trying again later may work (a timeout, a provider that
  is down, a ``429`` or ``5xx``); the dispatcher schedules a retry with backoff;
- :class:`PermanentFailure` when trying again cannot work (a refused recipient, a
  ``4xx`` other than ``408``/``429``); the dispatcher parks the message at once.

Every send carries the notification id as its idempotency handle (the email's
``Message-ID``, an ``Idempotency-Key`` header), so a receiver can drop the duplicate
that a crash between "sent" and "marked sent" may cause.
"""

from __future__ import annotations

from typing import Protocol

from fleetline.domain.messages import Notification
from fleetline.domain.model import Channel


class DeliveryFailure(Exception):
    """A message did not reach its channel; ``reason`` says why, for the agent to read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientFailure(DeliveryFailure):
    """The send failed in a way that may pass: try again later.

    Parameters
    ----------
    reason
        What went wrong, in words an agent understands.
    provider_down
        The provider itself is unreachable or overloaded (not just this message): the
        dispatcher pauses the whole channel for a while instead of trying each message.
    retry_after_s
        The provider asked to wait at least this long (``Retry-After``).
    """

    def __init__(
        self, reason: str, *, provider_down: bool = False, retry_after_s: float | None = None
    ) -> None:
        super().__init__(reason)
        self.provider_down = provider_down
        self.retry_after_s = retry_after_s


class PermanentFailure(DeliveryFailure):
    """The send can never work as it is (refused recipient, rejected content): park it."""


class ChannelSender(Protocol):
    """One way out for client messages."""

    channel: Channel
    """The channel this sender serves."""

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` once, or raise a :class:`DeliveryFailure`."""
        ...

    def close(self) -> None:
        """Release any open connection (called after each batch and at shutdown)."""
        ...


RETRYABLE_HTTP_STATUSES = frozenset({408, 425, 429})
"""HTTP answers below 500 that mean "later", not "never"."""


def http_failure(
    status: int, detail: str, retry_after: str | None = None, *, shared_provider: bool = True
) -> DeliveryFailure:
    """Classify an HTTP answer that is not a success.

    Parameters
    ----------
    status
        The HTTP status code (not 2xx).
    detail
        Who answered and a short excerpt of the answer, for the agent.
    retry_after
        The answer's ``Retry-After`` header, if any (seconds).
    shared_provider
        Every message of the channel goes to this server (an SMS provider), so its
        ``429`` or ``503`` pauses the channel; ``False`` for per-client receivers.

    Returns
    -------
    DeliveryFailure
        A :class:`TransientFailure` for ``408``, ``425``, ``429`` and ``5xx``, a
        :class:`PermanentFailure` otherwise.
    """
    reason = f"{detail} answered HTTP {status}"
    if status >= 500 or status in RETRYABLE_HTTP_STATUSES:
        return TransientFailure(
            reason,
            provider_down=shared_provider and status in (429, 503),
            retry_after_s=_seconds(retry_after),
        )
    return PermanentFailure(reason)


def _seconds(retry_after: str | None) -> float | None:
    if retry_after is None:
        return None
    try:
        seconds = float(retry_after.strip())
    except ValueError:
        return None  # an HTTP date: the dispatcher's own backoff is good enough
    return seconds if 0 <= seconds <= 24 * 3600 else None
