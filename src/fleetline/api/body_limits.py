"""Request bodies are bounded before they are read, and large ones need a known caller.

Without this, eight unauthenticated 50 MB ``POST /api/v1/orders`` were each read whole
before the token check answered 401, and the server grew from 160 MB to 920 MB. Here,
before any route runs:

- a ``Content-Length`` above the route's limit is a 413 at once, and a body that streams
  past it (chunked) is cut off with a 413;
- a body larger than :data:`SMALL_BODY` (or of unknown length) on a route that needs a
  token is read only once the bearer token is known: a missing or unknown one is a 401
  before a byte of the body is read. Small bodies, and the public routes (the tracking
  page, the trackers' OsmAnd endpoint), are checked by the route as before.

Limits fit the largest legitimate request of each route: a batch of 5,000 orders, 10,000
positions, an order file to import.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SMALL_BODY = 64 * 1024
"""Bodies up to this size are read before the route checks the token (most requests)."""
DEFAULT_LIMIT = 1024 * 1024
"""The largest body of a route not listed in :data:`LIMITS`."""
LIMITS: tuple[tuple[str, int], ...] = (
    ("/api/v1/orders/import", 32 * 1024 * 1024),
    ("/api/v1/orders", 16 * 1024 * 1024),
    ("/api/v1/telemetry/positions", 8 * 1024 * 1024),
    ("/api/v1/telemetry/osmand", 1024 * 1024),
    ("/track/", 16 * 1024),
)
"""The largest body per path prefix, first match wins."""
PUBLIC = ("/track/", "/api/v1/telemetry/osmand")
"""Routes that check their caller themselves (a tracking token, a tracker's id)."""
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})

TokenCheck = Callable[[str], bool]
"""Whether a bearer secret belongs to a live token (run in a worker thread)."""


class _TooLarge(HTTPException):
    """A body that streamed past its limit.

    An HTTP error, so that the route's body parsing passes it on as the 413 it is.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def limit_for(path: str) -> int:
    """Return the largest body, in bytes, a request to ``path`` may send."""
    for prefix, limit in LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class LimitBodies:
    """ASGI middleware bounding request bodies of the API (see the module's text).

    Parameters
    ----------
    app
        The application behind it.
    known_token
        Whether a bearer secret belongs to a live token.
    """

    def __init__(self, app: ASGIApp, known_token: TokenCheck) -> None:
        self.app = app
        self.known_token = known_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body too large or from an unknown caller; pass every other request on."""
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in WITH_BODY
            or not (path.startswith("/api/") or path.startswith("/track/"))
        ):
            await self.app(scope, receive, send)
            return
        limit = limit_for(path)
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _answer(send, 400, "bad_request", "Content-Length is not a number")
                return
            if int(declared) > limit:
                await _answer(send, 413, "too_large", _too_large(limit))
                return
        large = declared is None or int(declared) > SMALL_BODY
        if large and not path.startswith(PUBLIC):
            refusal = await self._caller_refusal(headers.get(b"authorization"))
            if refusal is not None:
                await _answer(send, 401, "unauthorized", refusal, field="Authorization")
                return
        await self._bounded(scope, receive, send, limit)

    async def _caller_refusal(self, authorization: bytes | None) -> str | None:
        if not authorization:
            return "missing bearer token"
        scheme, _, secret = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return "expected 'Authorization: Bearer <token>'"
        if not await run_in_threadpool(self.known_token, secret.strip()):
            return "unknown or revoked token"
        return None

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        read = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise _TooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if not started:
                await _answer(send, 413, "too_large", _too_large(limit))


def _too_large(limit: int) -> str:
    return f"a body may have at most {limit:,} bytes here"


async def _answer(send: Send, status: int, code: str, message: str, field: str = "body") -> None:
    body = json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "details": [{"field": field, "message": message}],
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
