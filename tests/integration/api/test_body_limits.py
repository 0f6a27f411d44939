"""Bodies are bounded before they are read: an oversized request is a 413, a large one
from an unknown caller a 401 before a byte of it is read, and JSON nested 100,000 deep
is a 4xx naming the body, never a server error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from fleetline.api.body_limits import SMALL_BODY, limit_for
from fleetline.domain.access import Role

from .conftest import Api


def _asgi_post(api: Api, path: str, headers: dict[str, str], size: int) -> tuple[int, int]:
    """POST ``size`` bytes straight to the ASGI app; return the status and how many body
    messages the app asked for."""
    app = api.client.app
    asked = 0
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"[" * 1024, "more_body": asked * 1024 < size}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return answer["status"], asked


def test_a_large_body_without_a_known_token_is_refused_before_it_is_read(api: Api) -> None:
    """Eight 50 MB posts without a token used to be read whole before the 401: now a
    megabyte without a token, or with a revoked one, is refused having read nothing."""
    size = 1024 * 1024
    for headers in (
        {"content-length": str(size)},
        {"content-length": str(size), "authorization": "Bearer flt_not_a_token"},
    ):
        status, asked = _asgi_post(api, "/api/v1/orders", headers, size)
        assert (status, asked) == (401, 0)


def test_a_declared_size_beyond_the_limit_is_a_413_at_once(api: Api) -> None:
    """A Content-Length above the route's limit is refused before reading, even with a
    valid token; the answer names the limit."""
    too_big = limit_for("/api/v1/orders") + 1
    headers = {**api.headers(Role.DISPATCHER), "content-length": str(too_big)}
    status, asked = _asgi_post(api, "/api/v1/orders", headers, too_big)
    assert (status, asked) == (413, 0)
    response = api.client.post(
        "/api/v1/depots",
        content=b"x" * (limit_for("/api/v1/depots") + 1),
        headers={**api.headers(Role.ADMIN), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "1,048,576 bytes" in response.json()["error"]["message"]


def test_a_streamed_body_is_cut_off_at_the_limit(api: Api) -> None:
    """A chunked body of unknown length that streams past the limit is a 413 once it
    passes it; nothing is stored."""
    chunk = b" " * 65536

    def stream() -> Iterator[bytes]:
        for _ in range(limit_for("/api/v1/depots") // len(chunk) + 2):
            yield chunk

    response = api.client.post(
        "/api/v1/depots",
        content=stream(),
        headers={**api.headers(Role.ADMIN), "content-type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert api.get("/api/v1/depots").json() == []


def test_a_small_body_is_checked_by_its_route_as_before(api: Api) -> None:
    """Most requests are small: they are read, and a missing token is the route's 401,
    naming ``Authorization``."""
    response = api.client.post("/api/v1/depots", json={"name": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["details"][0]["field"] == "Authorization"
    assert SMALL_BODY >= 64 * 1024


def test_json_nested_100_000_deep_is_a_4xx_everywhere(api: Api) -> None:
    """A JSON body nested 100,000 deep made the trackers' endpoint fail with a server
    error; it and an order batch now answer 4xx naming the body."""
    deep = b"[" * 100_000 + b"]" * 100_000
    headers = {**api.headers(Role.DISPATCHER), "content-type": "application/json"}
    for path in ("/api/v1/telemetry/osmand", "/api/v1/orders"):
        response = api.client.post(path, content=deep, headers=headers)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.json()["error"]["message"]
    osmand = api.client.post(
        "/api/v1/telemetry/osmand",
        content=b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        headers=headers,
    )
    assert osmand.status_code == 422
    assert osmand.json()["error"]["details"][0]["field"] == "body"
