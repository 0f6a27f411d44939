"""Reads that answer from the published live picture, in one short transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fleetline.operations.live_service import LivePicture, LiveService
from fleetline.operations.ports import UnitOfWork


class _NotPublished(Exception):
    """A read asked for a day whose picture is not published yet."""

    def __init__(self, day: date) -> None:
        super().__init__(day.isoformat())
        self.day = day


def read_with_picture[T](
    uow_factory: Callable[[], UnitOfWork],
    live: LiveService,
    read: Callable[[UnitOfWork, Callable[[date], LivePicture]], T],
) -> T:
    """Run ``read`` in one short transaction, with the published pictures of its days.

    A read that waited for a picture inside its transaction would hold a connection
    while the picture is computed (on another connection): under load the pool runs dry.
    Here the read gets only pictures already published; when it asks for a day that has
    none yet, its transaction is closed, the picture is waited for with no connection
    held, and the read runs again.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    live
        The live service.
    read
        Reads what it needs from the unit of work and the pictures of its days
        (``read(uow, picture_of)``); it must change nothing, as it may run twice.

    Returns
    -------
    T
        What ``read`` returned.
    """
    waited: dict[date, LivePicture] = {}

    def picture_of(day: date) -> LivePicture:
        known = waited.get(day) or live.published(day)
        if known is None:
            raise _NotPublished(day)
        return known

    for _ in range(3):
        try:
            with uow_factory() as uow:
                return read(uow, picture_of)
        except _NotPublished as missing:
            waited[missing.day] = live.picture(missing.day)
    with uow_factory() as uow:  # a read of more days than tries: the last one may wait
        return read(uow, lambda day: waited.get(day) or live.picture(day))
