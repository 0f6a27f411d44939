"""Fixtures of the store's tests: a fixed clock and a unit of work on each database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from fleetline.clock import FixedClock
from fleetline.store.unit_of_work import SqlUnitOfWork


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 3, 13, 17, 30, tzinfo=UTC))


@pytest.fixture
def uow(uow_factory: Callable[..., SqlUnitOfWork], clock: FixedClock) -> SqlUnitOfWork:
    return uow_factory(clock)
