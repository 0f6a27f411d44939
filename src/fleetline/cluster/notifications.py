"""PostgreSQL ``LISTEN``/``NOTIFY``: the one way a split installation's processes talk.

Channels (each named for the database schema too, ``fleetline_events_public``, so that
installations sharing one PostgreSQL database in schemas of their own never hear each
other):

``fleetline_live``
    The engine published a picture; the payload is its day (``YYYY-MM-DD``).
``fleetline_engine``
    A face asks the engine for something: ``picture YYYY-MM-DD`` or ``options <id>``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

import psycopg
import sqlalchemy as sa
from psycopg import sql

log = logging.getLogger(__name__)

LIVE = "fleetline_live"
ENGINE = "fleetline_engine"


def conninfo(database_url: str) -> str:
    """The psycopg connection string of a SQLAlchemy database URL."""
    url = sa.engine.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def notify(connection: sa.Connection, channel: str, payload: str = "") -> None:
    """Send a notification on ``connection`` (delivered when its transaction commits).

    ``channel`` is the base name; the connection's schema is added to it.
    """
    connection.execute(sa.select(sa.func.pg_notify(in_schema(channel), payload)))


def in_schema(channel: str) -> sa.ColumnElement[str]:
    """The SQL of a channel's full name on a connection: the base name and the schema."""
    return sa.literal(channel + "_") + sa.func.current_schema()


class Listener:
    """Listens on some channels on a connection of its own, and calls their handlers.

    Handlers run on the listener's thread, one at a time, in the order notifications
    arrive. A lost connection is opened again (after ``retry_s``), and ``on_connect`` runs
    each time it is (before the first notification), so that what was missed meanwhile
    is read from the store.

    Parameters
    ----------
    database_url
        The PostgreSQL database.
    handlers
        A handler per channel, called with the payload.
    on_connect
        Called once listening, at the start and after each reconnection.
    name
        The thread's name.
    """

    def __init__(
        self,
        database_url: str,
        handlers: Mapping[str, Callable[[str], None]],
        *,
        on_connect: Callable[[], None] | None = None,
        name: str = "listener",
        retry_s: float = 1.0,
    ) -> None:
        self._conninfo = conninfo(database_url)
        self._handlers = dict(handlers)
        self._on_connect = on_connect
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, wait_s: float = 10.0) -> None:
        """Start listening; return once listening (or after ``wait_s``)."""
        self._thread.start()
        self._listening.wait(timeout=wait_s)

    def close(self) -> None:
        """Stop listening."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    row = connection.execute("SELECT current_schema()").fetchone()
                    schema = row[0] if row else "public"
                    for channel in self._handlers:
                        full = sql.Identifier(f"{channel}_{schema}")
                        connection.execute(sql.SQL("LISTEN {}").format(full))
                    if self._on_connect is not None:
                        self._on_connect()
                    self._listening.set()
                    while not self._stopping.is_set():
                        for note in connection.notifies(timeout=0.5):
                            self._handle(note.channel, note.payload)
            except (psycopg.Error, OSError) as error:
                if self._stopping.is_set():
                    return
                log.warning(
                    "listening for notifications failed (%s); again in %g s", error, self._retry_s
                )
                self._stopping.wait(self._retry_s)

    def _handle(self, channel: str, payload: str) -> None:
        handler = next(
            (h for base, h in self._handlers.items() if channel.startswith(base + "_")), None
        )
        if handler is None:
            return
        try:
            handler(payload)
        except Exception:
            log.exception("handling a notification on %s failed", channel)
