"""Requests whose path or query holds a NUL byte are refused before any route runs.

No identifier, date or search text of Fleetline holds one, and PostgreSQL cannot store or
compare one: a NUL in ``/api/v1/orders/a%00b`` made the database driver fail (a 500, and
the keep-alive connection dropped). Here it is a 422 naming where it was (``path`` or the
query parameter), as any other invalid value, and nothing is read or changed.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send


class RefuseNulBytes:
    """ASGI middleware: a NUL byte in the path or the query string is a 422.

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
                await _refuse(send, where)
                return
        await self.app(scope, receive, send)


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


async def _refuse(send: Send, where: str) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "validation_error",
                "message": "a NUL byte is not allowed in the address of a request",
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
