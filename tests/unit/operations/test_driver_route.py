"""Unit tests of what a driver is told when their route changes."""

from __future__ import annotations

from fleetline.operations.driver_route import route_change

BEFORE = [("a", "Ada"), ("b", "Ben"), ("c", "Cy")]


def test_an_unchanged_route_says_nothing() -> None:
    """Same stops, same order: no alert."""
    assert not route_change(BEFORE, BEFORE).any


def test_stops_added_and_removed_are_named() -> None:
    """A stop moved onto the truck and one taken off, named by their labels."""
    change = route_change(BEFORE, [("a", "Ada"), ("c", "Cy"), ("d", "Dan"), ("e", "Eve")])
    assert change.added == ("Dan", "Eve") and change.removed == ("Ben",)
    assert not change.reordered
    assert change.summary() == "2 stops added: Dan, Eve · 1 stop removed: Ben"


def test_a_new_order_of_the_same_stops_is_said() -> None:
    """The kept stops in another order: 'order changed'."""
    change = route_change(BEFORE, [("c", "Cy"), ("a", "Ada"), ("b", "Ben")])
    assert change.reordered and change.summary() == "order changed"


def test_a_stop_served_since_is_not_removed() -> None:
    """A stop the driver completed is no longer open, but it was not taken away."""
    assert not route_change(BEFORE, BEFORE[1:], done={"a"}).any
