"""SMS through a provider's HTTP API (``FLEETLINE_SMS_URL``).

Each message is one ``POST {FLEETLINE_SMS_URL}/messages`` with the JSON body
``{"to": ..., "body": ..., "reference": <notification id>}`` and the header
``Idempotency-Key: <notification id>``. A ``2xx`` answer means accepted; ``408``, ``429``
and ``5xx`` (and no answer in time) are retried; any other ``4xx`` parks the message.
"""

from __future__ import annotations

import httpx

from fleetline.comms.channels.base import TransientFailure, http_failure
from fleetline.domain.messages import Notification
from fleetline.domain.model import Channel

SMS_TIMEOUT_S = 10.0
"""How long one request to the provider may take."""


class SmsChannel:
    """Sends notifications as text messages through the provider at ``base_url``.

    Parameters
    ----------
    base_url
        The provider's API root; messages go to ``{base_url}/messages``.
    timeout_s
        How long one request may take, connection included.
    transport
        An httpx transport (tests); the network when not given.
    """

    channel = Channel.SMS

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = SMS_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/messages"
        self._timeout_s = timeout_s
        self._transport = transport
        self._client: httpx.Client | None = None

    def send(self, notification: Notification) -> None:
        """Hand one text message to the provider, or raise a delivery failure."""
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout_s, transport=self._transport)
        try:
            answer = self._client.post(
                self._url,
                json={
                    "to": notification.recipient,
                    "body": notification.body,
                    "reference": notification.id,
                },
                headers={"Idempotency-Key": notification.id},
            )
        except httpx.HTTPError as exc:
            raise TransientFailure(
                f"SMS provider {self._url}: {type(exc).__name__} {exc}", provider_down=True
            ) from exc
        if not answer.is_success:
            raise http_failure(
                answer.status_code,
                f"SMS provider ({answer.text[:200]!r})",
                answer.headers.get("Retry-After"),
            )

    def close(self) -> None:
        """Close the connections of the batch; the next send opens new ones."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
