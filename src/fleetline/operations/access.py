"""Issuing and checking bearer tokens. Only a token's SHA-256 hash is ever stored."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

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


class KnownTokens:
    """Tokens recently seen live, so that a busy client is not looked up on every request.

    A token found live is trusted for ``max_age_s``; one revoked through this process is
    forgotten at once (``TokenRevoked``), one revoked through another process stops
    working within ``max_age_s``. Unknown secrets are never kept: each is looked up.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    max_age_s
        Seconds a live token is trusted without a look at the store.
    """

    def __init__(self, uow_factory: Callable[[], UnitOfWork], max_age_s: float = 5.0) -> None:
        self._uow_factory = uow_factory
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._known: dict[str, tuple[ApiToken, float]] = {}

    def authenticate(self, secret: str) -> ApiToken | None:
        """Return the live token that ``secret`` is, or ``None`` (see :func:`authenticate`)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        digest = hash_token(secret)
        now = time.monotonic()
        with self._lock:
            known = self._known.get(digest)
        if known is not None and now - known[1] < self._max_age_s:
            return known[0]
        with self._uow_factory() as uow:
            token = authenticate(uow, secret)
        with self._lock:
            if token is None:
                self._known.pop(digest, None)
            else:
                if len(self._known) > 10_000:
                    self._known.clear()
                self._known[digest] = (token, now)
        return token

    def forget(self, _event: object = None) -> None:
        """Look every token up again (a token was revoked)."""
        with self._lock:
            self._known.clear()
