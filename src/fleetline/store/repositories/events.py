"""The append-only event log."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from fleetline.domain.events import Event
from fleetline.operations.ports import LogCursor, LoggedEvent
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository

__all__ = ["EventLog", "LoggedEvent"]

_APPEND_ON_POSTGRESQL = sa.text("""
INSERT INTO events (seq, type, occurred_at, recorded_at, payload, txid)
SELECT nextval('events_seq_numbers'), batch.type, batch.occurred_at, batch.recorded_at,
       batch.payload::json, pg_current_xact_id()::text::bigint
FROM unnest(CAST(:types AS text[]), CAST(:occurred AS timestamptz[]),
            CAST(:recorded AS timestamptz[]), CAST(:payloads AS text[]))
     WITH ORDINALITY AS batch(type, occurred_at, recorded_at, payload, n)
ORDER BY batch.n
""")

_OLDEST_RUNNING = sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
"""The oldest transaction still running: every one before it has ended."""


class EventLog(Repository):
    """The event log: appended to by the unit of work, read by the engine and the figures.

    On PostgreSQL each event is numbered from a sequence and stamped with its
    transaction's id (``txid``), without any lock: transactions that record events never
    wait for each other. Numbers are then neither gap-free nor in commit order (a
    transaction may commit after a later-numbered one), so a reader follows the log with
    :meth:`committed_after`, which takes only events of transactions older than the
    oldest one still running, in ``(txid, seq)`` order: an event it has not read yet can
    never appear behind its cursor. On SQLite, which runs one writer at a time, ``seq`` is
    the previous maximum plus one, gap-free and in commit order.
    """

    def append(self, events: Iterable[Event], recorded_at: datetime) -> None:
        """Write ``events`` at the end of the log, in this transaction."""
        batch = list(events)
        if not batch:
            return
        dialect = self._session.get_bind().dialect
        if dialect.name == "postgresql":
            in_utc = t.UtcDateTime().process_bind_param  # refuses a time without an offset
            self._session.execute(
                _APPEND_ON_POSTGRESQL,
                {
                    "types": [event.type_name for event in batch],
                    "occurred": [in_utc(event.occurred_at, dialect) for event in batch],
                    "recorded": [in_utc(recorded_at, dialect)] * len(batch),
                    "payloads": [json.dumps(ser.event_to_payload(event)) for event in batch],
                },
            )
            return
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

    def committed_after(self, cursor: LogCursor, limit: int = 1000) -> builtins.list[LoggedEvent]:
        """The events after ``cursor`` that no running transaction can precede, in order.

        Follow the log by passing each time the cursor of the last event returned
        (:attr:`LoggedEvent.cursor`); start from :meth:`end` to skip the history.
        """
        columns = t.events.c
        if self._session.get_bind().dialect.name != "postgresql":
            query = sa.select(t.events).where(columns.seq > cursor.seq).order_by(columns.seq)
        else:
            query = (
                sa.select(t.events)
                .where(
                    sa.tuple_(columns.txid, columns.seq) > sa.tuple_(cursor.txid, cursor.seq),
                    columns.txid < _OLDEST_RUNNING,
                )
                .order_by(columns.txid, columns.seq)
            )
        return self._logged(self._session.execute(query.limit(limit)).mappings())

    def end(self) -> LogCursor:
        """The cursor after every event a reader may take now (the end of the history)."""
        if self._session.get_bind().dialect.name != "postgresql":
            return LogCursor(0, self.last_seq())
        oldest = int(self._session.execute(sa.select(_OLDEST_RUNNING)).scalar_one())
        last = self._session.execute(
            sa.select(t.events.c.txid, t.events.c.seq)
            .where(t.events.c.txid < oldest)
            .order_by(t.events.c.txid.desc(), t.events.c.seq.desc())
            .limit(1)
        ).first()
        return LogCursor(int(last.txid), int(last.seq)) if last is not None else LogCursor(0, 0)

    @staticmethod
    def _logged(rows: Iterable[sa.RowMapping]) -> builtins.list[LoggedEvent]:
        return [
            LoggedEvent(
                seq=r["seq"],
                event=ser.event_from_payload(r["type"], r["occurred_at"], r["payload"]),
                recorded_at=r["recorded_at"],
                txid=r["txid"] or 0,
            )
            for r in rows
        ]

    def list(self, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]:
        """Events with ``seq`` greater than ``after_seq``, oldest first."""
        rows = self._session.execute(
            sa.select(t.events)
            .where(t.events.c.seq > after_seq)
            .order_by(t.events.c.seq)
            .limit(limit)
        ).mappings()
        return self._logged(rows)

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
        return self._logged(rows)

    def last_seq(self) -> int:
        """Return the ``seq`` of the newest event, 0 when the log is empty."""
        query = sa.select(sa.func.coalesce(sa.func.max(t.events.c.seq), 0))
        return int(self._session.execute(query).scalar_one())
