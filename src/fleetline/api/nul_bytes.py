r"""Requests whose path, query or JSON body holds a NUL byte are refused before any route runs.

No identifier, date, name or note of Fleetline holds one, and PostgreSQL cannot store or
compare one: a NUL in ``/api/v1/orders/a%00b`` or in a plan's ``"vehicle_id": "\u0000"``
made the database driver fail (a 500, and the keep-alive connection dropped). Here it is
a 422 naming where it was (``path``, the query parameter, or the body's field such as
``routes[0].vehicle_id``), as any other invalid value, and nothing is read or changed.
A JSON body is looked into only when its bytes hold the escape ``\u0000`` (JSON has no
other way to write a NUL inside a string), so other requests pay one byte search.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NUL_ESCAPE = b"\\u0000"


class RefuseNulBytes:
    """ASGI middleware: a NUL byte in the path, the query string or a JSON body is a 422.

    Parameters
    ----------
    app
        The application behind it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 422 for a NUL byte, pass every other request on."""
        if scope["type"] == "http":
            where = _nul_in(scope)
            if where is not None:
                await _refuse(send, where, "a NUL byte is not allowed in the address of a request")
                return
            if _holds_json(scope):
                body, ended = await _read_body(receive)
                where = _nul_in_json(body) if NUL_ESCAPE in body else None
                if where is not None:
                    await _refuse(send, where, f"{where}: contains a NUL byte")
                    return
                receive = _replay(body, ended, receive)
        await self.app(scope, receive, send)


def _holds_json(scope: Scope) -> bool:
    if scope.get("method") not in WITH_BODY:
        return False
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            return b"json" in value.lower()
    return True  # a body without a content type is read as JSON


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, and the message that ended it early (a disconnect), if any."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, ended: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that hands the body read once more, then listens as before."""
    pending: list[Message] = [
        ended if ended is not None else {"type": "http.request", "body": body, "more_body": False}
    ]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _nul_in_json(body: bytes) -> str | None:
    """Where the first string holding a NUL is (``routes[0].vehicle_id``), if any."""
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the route refuses it as such
    except RecursionError:
        return "body"  # nested too deep to look into, and a NUL inside
    try:
        return _nul_in_value(document, "")
    except RecursionError:
        return "body"


def _nul_in_value(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return (where or "body") if "\x00" in value else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in_value(item, f"{where}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            field = f"{where}.{key}" if where else str(key)
            if "\x00" in key:
                return field.replace("\x00", "") or "body"
            found = _nul_in_value(item, field)
            if found is not None:
                return found
    return None


def _nul_in(scope: Scope) -> str | None:
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query.lower() and "\x00" not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return "query"


async def _refuse(send: Send, where: str, message: str) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "validation_error",
                "message": message,
                "details": [{"field": where, "message": "contains a NUL byte"}],
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
