"""The engine's live pictures, published to every face.

The engine writes each new picture of a day into ``live_pictures`` (one row a day, the
latest) and notifies ``fleetline_live`` in the same transaction; each face reads the row
when told and adopts the picture, so that its reads, its consoles and its stream answer
from the engine's picture without computing one. A face that starts, or reconnects,
reads the rows it may have missed; reads keep answering from the last picture while no
engine runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from fleetline.cluster.notifications import ENGINE, LIVE, notify
from fleetline.operations.kpi_cache import DayFigures
from fleetline.operations.kpis import DayKpis
from fleetline.operations.live_service import LivePicture, Published
from fleetline.operations.live_view import live_json
from fleetline.store import tables as t
from fleetline.store.picture_codec import picture_from_bytes, picture_to_bytes

log = logging.getLogger(__name__)


def publish_picture(
    engine: sa.Engine, published: Published, figures: DayFigures | None = None
) -> None:
    """Store a picture as its day's latest and tell the faces (the engine's side).

    The row holds the picture, its live document rendered once for every face, the feed
    message of what changed since the picture before, and the day's figures as last
    computed (``figures``), so that no face renders, compares or computes them again.
    """
    picture = published.picture
    document = live_json(picture)
    kpis = figures.latest(picture.snapshot.date) if figures is not None else None
    payload = picture_to_bytes(
        (picture, document, published.message, published.after_version, kpis)
    )
    day = picture.snapshot.date
    statement = postgresql.insert(t.live_pictures).values(
        day=day, version=picture.version, computed_at=picture.computed_at, payload=payload
    )
    with engine.begin() as connection:
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[t.live_pictures.c.day],
                set_={
                    "version": statement.excluded.version,
                    "computed_at": statement.excluded.computed_at,
                    "payload": statement.excluded.payload,
                },
            )
        )
        notify(connection, LIVE, day.isoformat())


def last_version(engine: sa.Engine) -> int:
    """The highest version of a picture published so far (0 before any)."""
    with engine.connect() as connection:
        found = connection.execute(sa.select(sa.func.max(t.live_pictures.c.version))).scalar()
    return int(found or 0)


def days_published_since(engine: sa.Engine, since: date) -> list[date]:
    """The days with a published picture from ``since`` on (a new engine refreshes them)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(t.live_pictures.c.day).where(t.live_pictures.c.day >= since)
        ).all()
    return [row.day for row in rows]


def ask_engine(engine: sa.Engine, request: str) -> None:
    """Ask the engine for something (``picture YYYY-MM-DD``, ``options <id>``)."""
    with engine.begin() as connection:
        notify(connection, ENGINE, request)


class PictureFollower:
    """Adopts the engine's pictures as they are published (the face's side).

    Parameters
    ----------
    engine
        The database, for reading the rows.
    adopt
        Takes a picture in (``LiveService.adopt``), with its rendered document, the
        feed message of its changes and the version they are counted from.
    today
        The company's date, to know which rows to read at the start.
    figures
        Where the day's figures sent with the pictures are kept.
    """

    def __init__(
        self,
        engine: sa.Engine,
        adopt: Callable[..., None],
        today: Callable[[], date],
        figures: DayFigures | None = None,
    ) -> None:
        self._engine = engine
        self._adopt = adopt
        self._today = today
        self._figures = figures
        self._lock = threading.Lock()
        self._loaded: dict[date, tuple[int, object]] = {}

    def on_notification(self, payload: str) -> None:
        """Read and adopt the day a notification names."""
        try:
            day = date.fromisoformat(payload)
        except ValueError:
            log.warning("a picture notification named no day: %r", payload[:40])
            return
        self.load(day)

    def catch_up(self) -> None:
        """Read every recent day's picture (at the start, and after a reconnection)."""
        since = self._today() - timedelta(days=1)
        for day in days_published_since(self._engine, since):
            self.load(day)

    def load(self, day: date) -> LivePicture | None:
        """Read the day's published picture and adopt it if it is new to this face."""
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(
                    t.live_pictures.c.version,
                    t.live_pictures.c.computed_at,
                    t.live_pictures.c.payload,
                ).where(t.live_pictures.c.day == day)
            ).first()
        if row is None:
            return None
        mark = (row.version, row.computed_at)
        with self._lock:
            if self._loaded.get(day) == mark:
                return None
            self._loaded[day] = mark
        stored = picture_from_bytes(row.payload)
        if not (isinstance(stored, tuple) and len(stored) == 5):
            log.warning("the published picture of %s is not a picture", day)
            return None
        picture, document, message, after_version, kpis = stored
        if not isinstance(picture, LivePicture):
            log.warning("the published picture of %s is not a picture", day)
            return None
        self._adopt(picture, document=document, message=message, after_version=after_version)
        if isinstance(kpis, DayKpis) and self._figures is not None:
            self._figures.adopt(kpis)
        return picture
