"""Issuing and checking bearer tokens. Only a token's SHA-256 hash is ever stored."""

from __future__ import annotations

import hashlib
import secrets

from fleetline.bus import Context
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import InvalidField, NotFound
from fleetline.operations.ports import UnitOfWork

TOKEN_PREFIX = "flt_"


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    uow: UnitOfWork,
    context: Context,
    role: Role,
    name: str,
    driver_id: str | None = None,
) -> tuple[str, ApiToken]:
    """Create a token for ``role``; return the secret (shown once) and what is stored.

    Raises
    ------
    InvalidField
        When a driver token names no driver, or another role names one.
    NotFound
        When the named driver does not exist.
    """
    if role is Role.DRIVER and driver_id is None:
        raise InvalidField("driver", "a driver token must name its driver")
    if role is not Role.DRIVER and driver_id is not None:
        raise InvalidField("driver", "only a driver token names a driver")
    if driver_id is not None and uow.drivers.get(driver_id) is None:
        raise NotFound("driver", driver_id, field="driver")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=context.ids("tok"),
        name=name,
        role=role,
        token_hash=hash_token(secret),
        created_at=context.clock.now(),
        driver_id=driver_id,
    )
    uow.tokens.add(token)
    return secret, token


def authenticate(uow: UnitOfWork, secret: str) -> ApiToken | None:
    """Return the live token that ``secret`` is, or ``None``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = uow.tokens.by_hash(hash_token(secret))
    if token is None or token.revoked:
        return None
    return token


def has_admin(uow: UnitOfWork) -> bool:
    """Return whether any admin token is still valid."""
    return any(t.role is Role.ADMIN and not t.revoked for t in uow.tokens.list())
