"""What every repository shares: a session, a clock and error translation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetline.domain.errors import Conflict, DomainError, InvalidField, NotFound

CHUNK = 500
"""How many values go into one ``IN (...)`` list."""


class Repository:
    """Base of the repositories: they query and write, they never commit.

    Parameters
    ----------
    session
        The unit of work's session.
    now
        The clock used for ``created_at`` / ``updated_at`` stamps.
    """

    def __init__(self, session: Session, now: Callable[[], datetime]) -> None:
        self._session = session
        self._now = now


def chunks[T](values: Iterable[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Split ``values`` into lists of at most ``size`` items."""
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def integrity_error(exc: IntegrityError, kind: str, identifier: str = "") -> DomainError:
    """Turn a database constraint violation into the domain error it means.

    Parameters
    ----------
    exc
        The error raised by the database driver.
    kind
        What was being written (``"order"``, ``"plan"``...), used in messages.
    identifier
        The id of the thing written, when there is one.
    """
    text = str(exc.orig).lower()
    if "foreign key" in text:
        return NotFound("referenced record", identifier or kind)
    if "reference" in text:
        return Conflict(f"this client already has an {kind} with that reference", "reference")
    if "version" in text:
        return Conflict(f"{kind} version already exists for that date", "version")
    if "token_hash" in text:
        return Conflict("token already exists", "token_hash")
    if "unique" in text or "duplicate" in text:
        return Conflict(f"{kind} {identifier!r} already exists".replace(" ''", ""), "id")
    return Conflict(f"{kind} clashes with stored data: {exc.orig}")


def storable[R: Mapping[str, Any]](rows: list[R]) -> list[R]:
    """Return ``rows``, refusing text PostgreSQL cannot store (NUL characters).

    Raises
    ------
    InvalidField
        On the first column whose text, or text inside a list, contains a NUL character.
    """
    for row in rows:
        for column, value in row.items():
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(text, str) and "\x00" in text for text in texts):
                raise InvalidField(column, "must not contain NUL characters")
    return rows
