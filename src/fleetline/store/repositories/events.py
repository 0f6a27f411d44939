"""The append-only event log."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from datetime import datetime

import psycopg
import sqlalchemy as sa

from fleetline.domain.events import Event
from fleetline.operations.ports import LoggedEvent
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository

__all__ = ["EVENTS_CHANNEL", "EventLog", "LoggedEvent"]

EVENTS_CHANNEL = "fleetline_events"
"""Notified (on PostgreSQL) by every transaction that appends events, as it commits; the
channel's full name adds the schema (``fleetline_events_public``)."""


_INSERT_BATCH = """
INSERT INTO events (seq, type, occurred_at, recorded_at, payload)
SELECT (SELECT coalesce(max(seq), 0) FROM events) + batch.n,
       batch.type, batch.occurred_at, batch.recorded_at, batch.payload::json
FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[], %s::text[])
     WITH ORDINALITY AS batch(type, occurred_at, recorded_at, payload, n)
"""


class EventLog(Repository):
    """The event log: appended to by the unit of work, read by replay and projections."""

    def append(self, events: Iterable[Event], recorded_at: datetime) -> None:
        """Write ``events`` at the end of the log, in this transaction.

        Each ``seq`` is the previous maximum plus one, taken inside the insert itself
        (and, on PostgreSQL, under a table lock held until commit), so that committed
        events are numbered without gaps and in the order their transactions commit: a
        reader that has read up to ``seq`` never sees an earlier one appear later. On
        PostgreSQL the transaction also notifies :data:`EVENTS_CHANNEL`, which the engine
        of a split installation listens on.
        """
        batch = list(events)
        if not batch:
            return
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(sa.text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))
            channel = sa.literal(EVENTS_CHANNEL + "_") + sa.func.current_schema()
            self._session.execute(sa.select(sa.func.pg_notify(channel, "")))
        next_seq = (
            sa.select(sa.func.coalesce(sa.func.max(t.events.c.seq), 0) + 1)
            .select_from(t.events)
            .scalar_subquery()
        )
        for event in batch:
            self._session.execute(
                sa.insert(t.events).values(
                    seq=next_seq,
                    type=event.type_name,
                    occurred_at=event.occurred_at,
                    recorded_at=recorded_at,
                    payload=ser.event_to_payload(event),
                )
            )

    def append_and_commit(self, events: Iterable[Event], recorded_at: datetime) -> None:
        """Write ``events`` at the end of the log and commit the transaction.

        On PostgreSQL the table lock, the notification, the insert and the commit go to
        the server in one pipeline, without waiting for an answer in between: the lock is
        held for the server's few microseconds of work, never while this process waits
        for its turn on the CPU (held across round trips, it made every other writer
        queue behind a busy process). Elsewhere it is :meth:`append`, then the commit.
        """
        batch = list(events)
        if not batch or self._session.get_bind().dialect.name != "postgresql":
            self.append(batch, recorded_at)
            self._session.commit()
            return
        channel = EVENTS_CHANNEL + "_"
        dialect = self._session.get_bind().dialect
        in_utc = t.UtcDateTime().process_bind_param  # refuses a time without an offset
        rows = (
            [event.type_name for event in batch],
            [in_utc(event.occurred_at, dialect) for event in batch],
            [in_utc(recorded_at, dialect)] * len(batch),
            [json.dumps(ser.event_to_payload(event)) for event in batch],
        )
        driver = self._session.connection().connection.dbapi_connection
        assert isinstance(driver, psycopg.Connection)  # the PostgreSQL driver Fleetline uses
        with driver.pipeline(), driver.cursor() as cursor:
            cursor.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_notify(%s || current_schema(), '')", (channel,))
            cursor.execute(_INSERT_BATCH, rows)
            cursor.execute("COMMIT")
        self._session.commit()  # the database's transaction is committed already

    def list(self, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]:
        """Events with ``seq`` greater than ``after_seq``, oldest first."""
        rows = self._session.execute(
            sa.select(t.events)
            .where(t.events.c.seq > after_seq)
            .order_by(t.events.c.seq)
            .limit(limit)
        ).mappings()
        return [
            LoggedEvent(
                seq=r["seq"],
                event=ser.event_from_payload(r["type"], r["occurred_at"], r["payload"]),
                recorded_at=r["recorded_at"],
            )
            for r in rows
        ]

    def of_type(
        self, type_name: str, since: datetime, until: datetime
    ) -> builtins.list[LoggedEvent]:
        """Events of one type that occurred in ``[since, until)``, oldest first."""
        rows = self._session.execute(
            sa.select(t.events)
            .where(
                t.events.c.type == type_name,
                t.events.c.occurred_at >= since,
                t.events.c.occurred_at < until,
            )
            .order_by(t.events.c.seq)
        ).mappings()
        return [
            LoggedEvent(
                seq=r["seq"],
                event=ser.event_from_payload(r["type"], r["occurred_at"], r["payload"]),
                recorded_at=r["recorded_at"],
            )
            for r in rows
        ]

    def last_seq(self) -> int:
        """Return the ``seq`` of the newest event, 0 when the log is empty."""
        query = sa.select(sa.func.coalesce(sa.func.max(t.events.c.seq), 0))
        return int(self._session.execute(query).scalar_one())
