"""The event log is followed without a lock and without skipping an event.

Writers number events from a sequence and never wait for each other, so a transaction
may commit after a later-numbered one. A reader following the log must neither skip the
late one nor read any twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from fleetline.clock import FixedClock
from fleetline.domain import events
from fleetline.operations.ports import LogCursor
from fleetline.store.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.both_databases  # PostgreSQL numbers events its own way

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _event(plan_id: str) -> events.PlanFailed:
    return events.PlanFailed(occurred_at=AT, plan_id=plan_id, date=date(2026, 12, 7), error="")


def _follow(uow: SqlUnitOfWork, cursor: LogCursor) -> tuple[list[str], LogCursor]:
    with uow:
        batch = uow.events.committed_after(cursor)
    plan_ids = [logged.event.plan_id for logged in batch]  # type: ignore[attr-defined]
    return plan_ids, batch[-1].cursor if batch else cursor


def test_an_event_committed_late_is_read_after_the_ones_before_it(
    uow_factory: Callable[..., SqlUnitOfWork], clock: FixedClock
) -> None:
    """A slow transaction's event is neither skipped nor read twice by a follower."""
    reader, slow, quick = uow_factory(clock), uow_factory(clock), uow_factory(clock)
    with reader:
        cursor = reader.events.end()
    slow.__enter__()
    try:
        slow.record(_event("slow"))
        slow.session.flush()
        slow.events.append(slow.pending_events(), AT)  # numbered now, committed later
        slow._pending = []
        if slow.session.get_bind().dialect.name == "sqlite":
            slow.session.commit()  # SQLite has one writer at a time: nothing runs alongside
        with quick:
            quick.record(_event("quick"))
            quick.commit()
        seen, cursor = _follow(reader, cursor)
        slow.session.commit()
    finally:
        slow.__exit__(None, None, None)
    later: list[str] = []
    deadline = time.monotonic() + 10  # another test's transaction may hold the log back
    while len(seen + later) < 2 and time.monotonic() < deadline:
        batch, cursor = _follow(reader, cursor)
        later += batch
        time.sleep(0.05)
    assert sorted(seen + later) == ["quick", "slow"]
    assert len(seen + later) == 2  # none read twice
    assert _follow(reader, cursor)[0] == []


def test_a_new_follower_starts_after_the_history(
    uow_factory: Callable[..., SqlUnitOfWork], clock: FixedClock
) -> None:
    """The first engine of a database handles what comes next, not the day's history.

    (On PostgreSQL the end is taken behind the oldest transaction still running, anywhere
    on the server: a few events just before it may be handled again, never one skipped.)
    """
    writer, reader = uow_factory(clock), uow_factory(clock)
    with writer:
        writer.record(_event("history"))
        writer.commit()
    with reader:
        cursor = reader.events.end()
    with writer:
        writer.record(_event("news"))
        writer.commit()
    followed: list[str] = []
    deadline = time.monotonic() + 10  # another test's transaction may hold the log back
    while "news" not in followed and time.monotonic() < deadline:
        batch, cursor = _follow(reader, cursor)
        followed += batch
        time.sleep(0.05)
    assert followed[-1:] == ["news"]
    with writer:
        dialect = writer.session.get_bind().dialect.name
    if dialect == "sqlite":
        assert followed == ["news"]
    else:
        assert set(followed) <= {"history", "news"}
