"""The engine lease: exactly one active engine per database, the others standing by.

The lease is a PostgreSQL session advisory lock held on a connection of its own: it is
the engine's for as long as that connection lives, and PostgreSQL releases it the moment
the connection ends, however the process ended (a ``kill -9`` included). A standby asks
for it every ``poll_s``. The ``engine_lease`` row says who holds it, since when, and how
far in the event log the engine has handled events, so that the next one starts there.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool

from fleetline.operations.ports import LogCursor
from fleetline.store import tables as t

log = logging.getLogger(__name__)

LOCK_CLASS = 0x466C_6565  # "Flee"
"""The advisory lock's first key; the second is the schema's hash, so that installations
in schemas of one database each have their own lease."""


def this_process() -> str:
    """Name this process for the lease row and the logs: ``host pid 1234``."""
    return f"{socket.gethostname()} pid {os.getpid()}"


class EngineLease:
    """Takes, holds and watches the engine lease.

    Parameters
    ----------
    database_url
        The PostgreSQL database.
    holder
        How this process is named in the lease row and the logs.
    """

    def __init__(self, database_url: str, holder: str | None = None) -> None:
        self.holder = holder or this_process()
        self._engine = sa.create_engine(database_url, poolclass=NullPool)
        self._held: sa.Connection | None = None
        self._lock = threading.Lock()

    def try_take(self) -> bool:
        """Take the lease if no engine holds it; ``True`` when this process holds it."""
        if self._held is not None:
            return True
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = connection.execute(
                sa.select(
                    sa.func.pg_try_advisory_lock(
                        LOCK_CLASS, sa.func.hashtext(sa.func.current_schema())
                    )
                )
            ).scalar_one()
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._held = connection
        return True

    def wait(self, stop: threading.Event, poll_s: float = 1.0) -> bool:
        """Wait as a standby until the lease is this process's (``False`` when stopped)."""
        told = False
        while not stop.is_set():
            try:
                if self.try_take():
                    return True
            except sa.exc.OperationalError as error:
                log.warning("the database cannot be reached (%s); trying again", error)
            if not told:
                log.info("standby: the engine lease is held by %s", self.current_holder())
                told = True
            stop.wait(poll_s)
        return False

    def current_holder(self) -> str:
        """Who holds the lease, as its row says (``unknown`` before any engine ran)."""
        try:
            with self._engine.connect() as connection:
                row = connection.execute(sa.select(t.engine_lease.c.holder)).first()
        except sa.exc.SQLAlchemyError:
            return "unknown"
        return row.holder if row is not None else "unknown"

    def record_holder(self, now: datetime, first_cursor: LogCursor) -> LogCursor:
        """Write this process into the lease row; return the event cursor to start from.

        ``first_cursor`` is where the very first engine of a database starts (the end of
        the log: it does not handle the history).
        """
        lease = t.engine_lease.c
        with self._lock:
            connection = self._holding()
            row = connection.execute(sa.select(lease.event_cursor_txid, lease.event_cursor)).first()
            cursor = LogCursor(int(row[0]), int(row[1])) if row is not None else first_cursor
            statement = postgresql.insert(t.engine_lease).values(
                id=1,
                holder=self.holder,
                acquired_at=now,
                event_cursor=cursor.seq,
                event_cursor_txid=cursor.txid,
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[t.engine_lease.c.id],
                    set_={"holder": self.holder, "acquired_at": now},
                )
            )
            return cursor

    def save_cursor(self, cursor: LogCursor) -> None:
        """Record that every event up to ``cursor`` has been handled."""
        lease = t.engine_lease.c
        with self._lock:
            self._holding().execute(
                sa.update(t.engine_lease)
                .where(
                    lease.id == 1,
                    sa.tuple_(lease.event_cursor_txid, lease.event_cursor)
                    < sa.tuple_(cursor.txid, cursor.seq),
                )
                .values(event_cursor=cursor.seq, event_cursor_txid=cursor.txid)
            )

    def alive(self) -> bool:
        """Whether the lease's connection still answers (and so the lease is held)."""
        with self._lock:
            if self._held is None:
                return False
            try:
                self._held.execute(sa.text("SELECT 1"))
            except sa.exc.SQLAlchemyError:
                return False
            return True

    def release(self) -> None:
        """Give the lease up (a standby takes it at its next look)."""
        with self._lock:
            if self._held is not None:
                try:
                    self._held.close()
                finally:
                    self._held = None
        self._engine.dispose()

    def _holding(self) -> sa.Connection:
        if self._held is None:
            raise RuntimeError("the engine lease is not held by this process")
        return self._held
