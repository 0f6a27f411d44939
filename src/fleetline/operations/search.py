"""The agent's search: one box for a client's name, an order reference, a phone or an email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Client
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.ports_search import OrderHit

MIN_QUERY = 2
MAX_QUERY = 200
MIN_PHONE_DIGITS = 4
"""Fewer digits than this in a query are not read as a phone number (``"L-12"``)."""
DEFAULT_LIMIT = 20
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Orders and clients matching a query, the newest delivery days first."""

    orders: tuple[OrderHit, ...]
    clients: tuple[Client, ...]


def phone_digits(query: str) -> str | None:
    """The digits of ``query`` when it reads as a phone number, else ``None``.

    ``"+423 123 45 67"`` gives ``"4231234567"``; a query with letters (a name, a
    reference, an email) is not a phone number.
    """
    if any(character.isalpha() or character == "@" for character in query):
        return None
    digits = "".join(character for character in query if character.isdigit())
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def search(
    uow: UnitOfWork, query: str, limit: int = DEFAULT_LIMIT, day: date | None = None
) -> SearchResult:
    """Find orders and clients by client name, order reference or id, phone or email.

    Parameters
    ----------
    uow
        An open unit of work.
    query
        At least two characters; compared case-insensitively, phones by digits only.
    limit
        At most this many orders and this many clients.
    day
        Only orders of this delivery day, when given.

    Raises
    ------
    InvalidField
        On ``q`` when the query is shorter than two characters or too long, on
        ``limit`` when it is out of range.
    """
    text = query.strip()
    if len(text) < MIN_QUERY:
        raise InvalidField("q", f"type at least {MIN_QUERY} characters")
    if len(text) > MAX_QUERY or not text.isprintable():
        raise InvalidField("q", f"at most {MAX_QUERY} printable characters")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidField("limit", f"must be from 1 to {MAX_LIMIT}")
    clients = uow.search.clients(text, phone_digits(text), limit)
    orders = uow.search.orders(text, [client.id for client in clients], limit, day)
    return SearchResult(orders=tuple(orders), clients=tuple(clients))
