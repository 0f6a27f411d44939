"""The message bus: one command, one handler, one transaction; then its events.

A command handler receives the command, an open unit of work and the shared
:class:`Context`; it changes state through the repositories and records events. The bus
commits (state, events and, for a retried write, the idempotency answer in one
transaction) and then hands the committed events to their handlers, so work that follows
a change (a solve, a message) is started only when the change has been stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fleetline.clock import Clock
from fleetline.domain.commands import Command
from fleetline.domain.errors import Conflict
from fleetline.domain.events import Event
from fleetline.domain.values import DayHorizon
from fleetline.operations.ports import IdempotencyRecord, UnitOfWork

log = logging.getLogger(__name__)


def new_id(prefix: str) -> str:
    """Return a fresh, unguessable id such as ``ord_3f9c1a2b7d4e5f60``."""
    return f"{prefix}_{secrets.token_hex(8)}"


@dataclass(slots=True)
class Context:
    """What every handler may use besides the unit of work."""

    clock: Clock
    ids: Callable[[str], str] = new_id
    horizon: DayHorizon = field(default_factory=DayHorizon)
    """How far from today an order's delivery day may be."""


CommandHandler = Callable[[Any, UnitOfWork, Context], Any]
EventHandler = Callable[[Any], None]
TransactionRule = Callable[[UnitOfWork, Context], None]
"""Runs inside a command's transaction, after its handler and before the commit: it
reads ``uow.pending_events()`` and writes what must be stored with them (outbox rows)."""


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """A write that carries an ``Idempotency-Key``, and how to render its answer."""

    principal: str
    key: str
    method: str
    path: str
    body: bytes
    render: Callable[[Any], tuple[int, Any]]

    @property
    def request_hash(self) -> str:
        """Fingerprint of the request, to tell a retry from a reuse of the key."""
        digest = hashlib.sha256()
        digest.update(self.method.encode())
        digest.update(b"\0")
        digest.update(self.path.encode())
        digest.update(b"\0")
        digest.update(self.body)
        return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Replayed:
    """The stored answer to a write that was already made with the same key."""

    status_code: int
    body: Any


@dataclass(slots=True)
class MessageBus:
    """Routes commands to their handler and committed events to their subscribers."""

    uow_factory: Callable[[], UnitOfWork]
    context: Context
    command_handlers: dict[type[Command], CommandHandler]
    event_handlers: dict[type[Event], list[EventHandler]] = field(default_factory=dict)
    transaction_rules: list[TransactionRule] = field(default_factory=list)
    every_event: list[EventHandler] = field(default_factory=list)
    """Subscribers to every event, after each event's own (caches of what events change)."""
    relay: Callable[[list[Event]], None] | None = None
    """When set (the engine of a split installation), committed events are not handed to
    their subscribers here: ``relay`` is told of them, and the event log's follower hands
    every event, from every process, to :meth:`deliver` in the order of the log."""

    def handle(self, command: Command, idempotency: IdempotentRequest | None = None) -> Any:
        """Handle ``command`` in one transaction and publish its events.

        Parameters
        ----------
        command
            The command to handle.
        idempotency
            When given, a retry with the same key and body returns the first answer as
            :class:`Replayed` without changing anything; the same key with another body
            is a :class:`~fleetline.domain.errors.Conflict`.

        Returns
        -------
        Any
            What the handler returned, or :class:`Replayed`.
        """
        handler = self.command_handlers[type(command)]
        with self.uow_factory() as uow:
            if idempotency is not None:
                stored = uow.idempotency.get(idempotency.principal, idempotency.key)
                if stored is not None:
                    return _replay(stored, idempotency)
            result = handler(command, uow, self.context)
            self.apply_rules(uow)
            if idempotency is not None:
                status, body = idempotency.render(result)
                uow.idempotency.put(
                    IdempotencyRecord(
                        principal=idempotency.principal,
                        key=idempotency.key,
                        method=idempotency.method,
                        path=idempotency.path,
                        request_hash=idempotency.request_hash,
                        status_code=status,
                        response_body=json.loads(json.dumps(body, default=str)),
                        created_at=self.context.clock.now(),
                    )
                )
            uow.commit()
            events = uow.collect_new_events()
        self.publish(events)
        return result

    def apply_rules(self, uow: UnitOfWork) -> None:
        """Run the transaction rules on ``uow``'s pending events, before its commit.

        The bus does it for every command; a service that commits a change of its own
        (an automatic re-plan on a worker) calls it so that the same rules apply.
        """
        for rule in self.transaction_rules:
            rule(uow, self.context)

    def publish(self, events: list[Event]) -> None:
        """Hand committed events to their subscribers (or to :attr:`relay`)."""
        if self.relay is not None:
            if events:
                self.relay(events)
            return
        self.deliver(events)

    def deliver(self, events: list[Event]) -> None:
        """Hand events to their subscribers now; a failing subscriber is logged."""
        for event in events:
            for subscriber in [*self.event_handlers.get(type(event), []), *self.every_event]:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("handler %s failed on %s", subscriber, event.type_name)


def _replay(stored: IdempotencyRecord, request: IdempotentRequest) -> Replayed:
    if stored.request_hash != request.request_hash:
        raise Conflict(
            "this Idempotency-Key was already used for a different request",
            field="Idempotency-Key",
        )
    return Replayed(stored.status_code, stored.response_body)
