"""Exactly one engine per installation: the lease, its row and where the next one starts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from fleetline.cluster.lease import EngineLease
from fleetline.operations.ports import LogCursor

pytestmark = pytest.mark.postgresql_only  # the lease is a PostgreSQL advisory lock

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_a_second_engine_waits_until_the_first_lets_go(database_url: str) -> None:
    """While one engine holds the lease no other takes it; once it ends, the next does."""
    first, second = EngineLease(database_url, "first"), EngineLease(database_url, "second")
    try:
        assert first.try_take()
        assert not second.try_take()
        first.record_holder(NOW, first_cursor=LogCursor(0, 0))
        assert second.current_holder() == "first"
        first.release()
        assert second.try_take()
        assert second.alive()
    finally:
        first.release()
        second.release()


def test_the_next_engine_starts_where_the_last_one_stopped(database_url: str) -> None:
    """The event cursor survives a change of engine; the very first starts at the log's end."""
    first, second = EngineLease(database_url, "first"), EngineLease(database_url, "second")
    try:
        assert first.try_take()
        assert first.record_holder(NOW, first_cursor=LogCursor(900, 41)) == LogCursor(900, 41)
        first.save_cursor(LogCursor(905, 57))
        first.save_cursor(LogCursor(903, 60))  # an older batch's save never moves it back
        first.release()
        assert second.try_take()
        assert second.record_holder(NOW, first_cursor=LogCursor(999, 99)) == LogCursor(905, 57)
        assert second.current_holder() == "second"
    finally:
        first.release()
        second.release()


def test_a_standby_gives_up_waiting_when_stopped(database_url: str) -> None:
    """A standby stopped (SIGTERM) while another engine runs ends without the lease."""
    active, standby = EngineLease(database_url, "active"), EngineLease(database_url, "standby")
    stop = threading.Event()
    try:
        assert active.try_take()
        stop.set()
        assert standby.wait(stop, poll_s=0.05) is False
        assert not standby.alive()
    finally:
        active.release()
        standby.release()


def test_an_engine_whose_connection_ends_no_longer_holds_the_lease(database_url: str) -> None:
    """A dead lease connection is seen as a lost lease, and the lease is free for the next."""
    active, next_one = EngineLease(database_url, "active"), EngineLease(database_url, "next")
    try:
        assert active.try_take()
        held = active._held
        assert held is not None
        held.invalidate()  # the connection is gone, as when the network or the process dies
        assert not active.alive()
        assert next_one.try_take()
    finally:
        active.release()
        next_one.release()
