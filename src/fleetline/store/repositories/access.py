"""Repositories of bearer tokens and idempotency keys.

:class:`IdempotencyRecord` is the record type of the use cases' storage ports.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fleetline.domain.access import ApiToken
from fleetline.domain.errors import Conflict, NotFound
from fleetline.operations.ports import IdempotencyRecord
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository, integrity_error, storable

__all__ = ["IdempotencyRecord", "IdempotencyRepository", "TokenRepository"]


class TokenRepository(Repository):
    """Bearer tokens, stored by hash."""

    def add(self, token: ApiToken) -> None:
        """Store a new token; raise ``Conflict`` if its id or hash is taken."""
        try:
            self._session.execute(sa.insert(t.api_tokens), storable([ser.token_to_row(token)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "token", token.id) from exc

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token, or ``None``."""
        row = (
            self._session.execute(sa.select(t.api_tokens).where(t.api_tokens.c.id == token_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.token_from_row(row)

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """Return the token with that hash (revoked or not), or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.api_tokens).where(t.api_tokens.c.token_hash == token_hash)
            )
            .mappings()
            .first()
        )
        return None if row is None else ser.token_from_row(row)

    def list(self) -> list[ApiToken]:
        """Every token, oldest first."""
        rows = self._session.execute(
            sa.select(t.api_tokens).order_by(t.api_tokens.c.created_at, t.api_tokens.c.id)
        ).mappings()
        return [ser.token_from_row(r) for r in rows]

    def revoke(self, token_id: str, at: datetime | None = None) -> None:
        """Revoke the token (``at``: when); raise ``NotFound`` if it does not exist."""
        result = self._session.execute(
            sa.update(t.api_tokens)
            .where(t.api_tokens.c.id == token_id)
            .values(revoked=True, revoked_at=at)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("token", token_id)


class IdempotencyRepository(Repository):
    """Answers already given to idempotent writes."""

    def get(self, principal: str, key: str) -> IdempotencyRecord | None:
        """Return the stored record of ``key`` for ``principal``, or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.idempotency_keys).where(
                    t.idempotency_keys.c.principal == principal, t.idempotency_keys.c.key == key
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return IdempotencyRecord(
            principal=row["principal"],
            key=row["key"],
            method=row["method"],
            path=row["path"],
            request_hash=row["request_hash"],
            status_code=row["status_code"],
            response_body=row["response_body"],
            created_at=row["created_at"],
        )

    def put(self, record: IdempotencyRecord) -> None:
        """Store ``record``.

        Raises
        ------
        Conflict
            On ``idempotency_key`` when the principal already used that key (e.g. a
            concurrent retry won the race); the caller should roll back.
        """
        values = {
            "principal": record.principal,
            "key": record.key,
            "method": record.method,
            "path": record.path,
            "request_hash": record.request_hash,
            "status_code": record.status_code,
            "response_body": record.response_body,
            "created_at": record.created_at,
        }
        try:
            self._session.execute(sa.insert(t.idempotency_keys), storable([values]))
        except IntegrityError as exc:
            raise Conflict("idempotency key already used", "idempotency_key") from exc

    def delete_before(self, moment: datetime) -> int:
        """Forget records older than ``moment``; return how many were removed."""
        result = self._session.execute(
            sa.delete(t.idempotency_keys).where(t.idempotency_keys.c.created_at < moment)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
