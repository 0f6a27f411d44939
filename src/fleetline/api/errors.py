"""One shape for every error: ``{"error": {"code", "message", "details": [{field, message}]}}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from fleetline.domain.errors import Conflict, InvalidField, NotFound

log = logging.getLogger(__name__)

_LOCATIONS = {"body", "query", "path", "header"}
UNION_TAGS = {"single_order", "order_list"}
"""Tags of tagged unions; they name a branch, not a field, and are left out of paths."""


class ApiError(Exception):
    """An error raised by the API layer itself (auth, malformed headers)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def field_path(loc: Sequence[str | int]) -> str:
    """Turn a validation location into a dotted path: ``[3].time_windows[0].end``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in UNION_TAGS or str(part).startswith(("function-", "list[", "dict[")):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """Build the JSON answer of an error."""
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details or []}},
    )


def _validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        message = str(error.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        details.append({"field": field_path(error.get("loc", ())), "message": message})
    return details


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc.errors())
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    return error_response(422, "validation_error", f"{first['field']}: {first['message']}", details)


async def _on_invalid_field(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidField)
    return error_response(
        422, "validation_error", str(exc), [{"field": exc.field, "message": exc.message}]
    )


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    if exc.field is not None:
        return error_response(
            422, "unknown_reference", str(exc), [{"field": exc.field, "message": str(exc)}]
        )
    return error_response(404, "not_found", str(exc))


async def _on_conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Conflict)
    return error_response(409, "conflict", str(exc), [{"field": exc.field, "message": str(exc)}])


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    details = [{"field": exc.field, "message": exc.message}] if exc.field else []
    response = error_response(exc.status, exc.code, exc.message, details)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 413: "too_large"}
    message = str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = _methods_allowed(request)
        headers["Allow"] = ", ".join(allowed)
        use = " or ".join(allowed)
        message = f"{request.method} is not allowed on {request.url.path}: use {use}"
    response = error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message)
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _methods_allowed(request: Request) -> list[str]:
    """Every method some route of the application answers on the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


BUSY_RETRY_AFTER_S = 2
"""What a client is told to wait when every database connection is in use."""


async def _on_busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("no database connection free for %s %s", request.method, request.url.path)
    response = error_response(
        503, "busy", "the server is busy; nothing was changed, try again in a moment"
    )
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        500, "internal_error", "an unexpected error occurred; nothing was changed"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the same shape."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(InvalidField, _on_invalid_field)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(Conflict, _on_conflict)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(PoolTimeout, _on_busy)
    app.add_exception_handler(Exception, _on_unexpected)
