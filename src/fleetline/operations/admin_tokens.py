"""Handlers that give out and take back bearer tokens (the admin's job).

A token's secret is returned once by :func:`issue_api_token` and never stored or logged;
revoking is immediate because every request looks its token up again.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.operations.access import issue_token
from fleetline.operations.ports import UnitOfWork

MAX_NAME = 200
"""The longest name a token may have."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: its secret (shown once) and what is stored of it."""

    secret: str
    token: ApiToken


def role_of(text: str) -> Role:
    """Return the role named ``text``.

    Raises
    ------
    InvalidField
        On ``role`` when no role has that name.
    """
    try:
        return Role(text)
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise InvalidField("role", f"unknown role {text!r}; one of {known}") from None


def issue_api_token(command: commands.IssueToken, uow: UnitOfWork, context: Context) -> IssuedToken:
    """Create a token for a role; a driver token names an existing driver.

    Raises
    ------
    InvalidField
        On ``role``, ``name`` or ``driver_id`` when they do not fit together.
    NotFound
        On ``driver_id`` when the driver does not exist.
    """
    role = role_of(command.role)
    name = command.name.strip()
    if not name:
        raise InvalidField("name", "must not be empty")
    if len(name) > MAX_NAME:
        raise InvalidField("name", f"longer than {MAX_NAME} characters")
    if role is Role.DRIVER and not command.driver_id:
        raise InvalidField("driver_id", "a driver token must name its driver")
    if role is not Role.DRIVER and command.driver_id:
        raise InvalidField("driver_id", "only a driver token names a driver")
    if command.driver_id and uow.drivers.get(command.driver_id) is None:
        raise NotFound("driver", command.driver_id, field="driver_id")
    secret, token = issue_token(uow, context, role, name, command.driver_id or None)
    uow.record(
        events.TokenIssued(
            occurred_at=context.clock.now(),
            token_id=token.id,
            role=role.value,
            name=name,
            driver_id=token.driver_id,
        )
    )
    return IssuedToken(secret, token)


def revoke_api_token(command: commands.RevokeToken, uow: UnitOfWork, context: Context) -> ApiToken:
    """Revoke a token at once; it no longer signs anyone in.

    Raises
    ------
    NotFound
        When the token does not exist.
    Conflict
        When it is already revoked, is the caller's own token, or is the last admin token.
    """
    token = uow.tokens.get(command.token_id)
    if token is None:
        raise NotFound("token", command.token_id)
    if token.revoked:
        raise Conflict(f"token {token.name!r} is already revoked", field="token_id")
    if token.id == command.by_token_id:
        raise Conflict(
            "you cannot revoke the token you are signed in with; use another admin token",
            field="token_id",
        )
    if token.role is Role.ADMIN and not any(
        other.role is Role.ADMIN and not other.revoked and other.id != token.id
        for other in uow.tokens.list()
    ):
        raise Conflict("this is the last admin token: create another one first", "token_id")
    now = context.clock.now()
    uow.tokens.revoke(token.id, now)
    uow.record(
        events.TokenRevoked(occurred_at=now, token_id=token.id, by_token_id=command.by_token_id)
    )
    revoked = uow.tokens.get(token.id)
    assert revoked is not None
    return revoked
