"""Customer service's tests run on the dispatched day of the live-day tests."""

from ...live.conftest import MORNING, Day, at, day, report

__all__ = ["MORNING", "Day", "at", "day", "report"]
