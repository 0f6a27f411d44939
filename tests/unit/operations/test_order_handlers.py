"""Receiving and changing orders, importing files of them, logging clients' inquiries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import StopEventType
from fleetline.domain.messages import InquiryChannel
from fleetline.domain.model import OrderState
from fleetline.operations.order_file_import import FileRefused

from .memory_fleet import DAY, NOW, Fleet, draft, window


@pytest.fixture
def fleet() -> Fleet:
    made = Fleet()
    made.depot()
    made.client("Alpen Bakery")
    made.client("Rhein Pharma")
    return made


def _client_ids(fleet: Fleet) -> tuple[str, str]:
    with fleet.read() as uow:
        first, second = (c.id for c in uow.clients.list())
    return first, second


def test_a_reference_twice_in_one_batch_refuses_the_whole_batch(fleet: Fleet) -> None:
    """The integrator is told which order repeats which (``[2].reference``, orders 0 and 2)
    and no order of the batch is stored, so a corrected resend does not clash."""
    alpen, _ = _client_ids(fleet)
    batch = (draft(alpen, "A-1"), draft(alpen, "A-2"), draft(alpen, "A-1"))
    refused = fleet.refused(commands.CreateOrders(orders=batch), Conflict)
    assert refused.field == "[2].reference"
    assert "orders 0 and 2" in str(refused)
    assert fleet.store.count("orders") == 0


def test_a_reference_stored_before_refuses_the_batch_naming_that_order(fleet: Fleet) -> None:
    """A resent order is caught on its own index; the new orders beside it wait for a
    corrected batch instead of being stored twice later."""
    alpen, rhein = _client_ids(fleet)
    fleet.orders(draft(alpen, "A-1"))
    batch = (draft(rhein, "A-1"), draft(alpen, "A-1"), draft(alpen, "A-3"))
    refused = fleet.refused(commands.CreateOrders(orders=batch), Conflict)
    assert refused.field == "[1].reference"
    with fleet.read() as uow:
        assert uow.orders.count_by_date(DAY) == 1


def test_an_unknown_client_or_a_bad_order_is_named_by_its_index(fleet: Fleet) -> None:
    """Errors point at the order in the batch and its field, as the API promises."""
    alpen, _ = _client_ids(fleet)
    unknown = fleet.refused(
        commands.CreateOrders(orders=(draft(alpen), draft("cli_missing"))), NotFound
    )
    assert unknown.field == "[1].client_id"
    too_long = draft(alpen, service_s=9 * 3600)
    bad = fleet.refused(
        commands.CreateOrders(orders=(draft(alpen), draft(alpen), too_long)), InvalidField
    )
    assert bad.field == "[2].service_s"


def test_a_batch_over_two_days_logs_one_creation_per_day(fleet: Fleet) -> None:
    """Each day's planner hears of its own orders, earliest day first, in batch order;
    orders without reference never clash."""
    alpen, rhein = _client_ids(fleet)
    tomorrow = DAY + timedelta(days=1)
    made, logged = fleet.run(
        commands.CreateOrders(
            orders=(draft(alpen, day=tomorrow), draft(rhein), draft(alpen), draft(alpen))
        )
    )
    assert [o.state for o in made] == [OrderState.OPEN] * 4
    assert logged == [
        events.OrdersCreated(
            occurred_at=NOW, date=DAY, order_ids=(made[1].id, made[2].id, made[3].id)
        ),
        events.OrdersCreated(occurred_at=NOW, date=tomorrow, order_ids=(made[0].id,)),
    ]


def test_a_new_window_is_stored_and_logged_for_the_re_plan(fleet: Fleet) -> None:
    """The re-planner and the client's message read the new window from the log."""
    alpen, _ = _client_ids(fleet)
    (order,) = fleet.orders(draft(alpen, "A-1"))
    later = window(13, 15)
    changed, logged = fleet.run(commands.ChangeOrder(order_id=order.id, time_windows=(later,)))
    assert changed.time_windows == (later,)
    assert logged == [
        events.OrderChanged(
            occurred_at=NOW,
            order_id=order.id,
            changes={
                "time_windows": [{"start": later.start.isoformat(), "end": later.end.isoformat()}]
            },
        )
    ]
    with fleet.read() as uow:
        assert uow.orders.get_many_revised([order.id])[order.id] == (changed, 2)


def test_a_change_with_nothing_in_it_stores_and_logs_nothing(fleet: Fleet) -> None:
    """An empty change triggers no re-plan and tells the client nothing."""
    alpen, _ = _client_ids(fleet)
    (order,) = fleet.orders(draft(alpen))
    kept, logged = fleet.run(commands.ChangeOrder(order_id=order.id))
    assert kept == order
    assert logged == []
    with fleet.read() as uow:
        assert uow.orders.revisions_by_date(DAY) == {order.id: 1}


def test_overlapping_windows_or_an_unknown_order_are_refused(fleet: Fleet) -> None:
    """The order stays as it was; the error names ``time_windows``."""
    alpen, _ = _client_ids(fleet)
    (order,) = fleet.orders(draft(alpen))
    overlapping = commands.ChangeOrder(
        order_id=order.id, time_windows=(window(9, 11), window(10, 12))
    )
    assert fleet.refused(overlapping, InvalidField).field == "time_windows"
    fleet.refused(commands.ChangeOrder(order_id="ord_missing", service_s=60), NotFound)


def test_a_delivered_order_can_no_longer_change(fleet: Fleet) -> None:
    """Once completed, a late change from the client is refused and the order stays."""
    alpen, _ = _client_ids(fleet)
    (order,) = fleet.orders(draft(alpen))
    with fleet.read() as uow:
        (truck_depot,) = uow.depots.list()
    truck = fleet.vehicle(truck_depot.id)
    fleet.dispatch({truck.id: [order.id]})
    fleet.bus.handle(
        commands.ReportStopEvent(order_id=order.id, type=StopEventType.COMPLETED, at=NOW)
    )
    refused = fleet.refused(commands.ChangeOrder(order_id=order.id, service_s=60), Conflict)
    assert "completed" in str(refused)


CSV_HEADER = "client,date,lat,lon,window_start,window_end,service_minutes,weight_kg,reference"


def _file(*rows: str) -> commands.ImportOrderFile:
    content = "\n".join([CSV_HEADER, *rows]).encode()
    return commands.ImportOrderFile(filename="orders.csv", content=content)


def test_a_file_of_orders_is_stored_whole_and_logged(fleet: Fleet) -> None:
    """Both rows become orders of the day; the log records the file and its orders."""
    imported, logged = fleet.run(
        _file(
            "Alpen Bakery,2026-11-26,47.14,9.52,09:00,11:00,10,20,F-1",
            "Rhein Pharma,2026-11-26,47.15,9.53,13:00,15:00,5,10,F-2",
        )
    )
    ids = tuple(o.id for o in imported.orders)
    assert [type(e) for e in logged] == [events.OrdersCreated, events.OrderFileImported]
    assert logged[1] == events.OrderFileImported(
        occurred_at=NOW, filename="orders.csv", rows=2, order_ids=ids
    )
    with fleet.read() as uow:
        assert [o.reference for o in uow.orders.list_by_date(DAY)] == ["F-1", "F-2"]


def test_a_file_with_a_reference_already_stored_is_refused_naming_its_row(fleet: Fleet) -> None:
    """The admin sees row 3, column ``reference``; the good row 2 is not stored alone."""
    alpen, _ = _client_ids(fleet)
    fleet.orders(draft(alpen, "F-2"))
    command = _file(
        "Alpen Bakery,2026-11-26,47.14,9.52,09:00,11:00,10,20,F-1",
        "Alpen Bakery,2026-11-26,47.15,9.53,13:00,15:00,5,10,F-2",
    )
    refused = fleet.refused(command, FileRefused)
    assert [(p.row, p.field) for p in refused.report.problems] == [(3, "reference")]
    assert fleet.store.count("orders") == 1


def test_an_inquiry_is_logged_against_the_order_s_client(fleet: Fleet) -> None:
    """Customer service counts the call for the right client, note trimmed; an unknown
    channel is refused on ``channel`` and an unknown order is not found."""
    _, rhein = _client_ids(fleet)
    (order,) = fleet.orders(draft(rhein))
    inquiry, logged = fleet.run(
        commands.LogInquiry(order_id=order.id, channel="phone", note="  where is it?  ", by="Eva")
    )
    assert (inquiry.client_id, inquiry.channel, inquiry.note, inquiry.at) == (
        rhein,
        InquiryChannel.PHONE,
        "where is it?",
        NOW,
    )
    assert logged == [
        events.InquiryLogged(
            occurred_at=NOW,
            inquiry_id=inquiry.id,
            order_id=order.id,
            client_id=rhein,
            channel="phone",
        )
    ]
    with fleet.read() as uow:
        assert uow.inquiries.for_order(order.id) == [inquiry]
    pigeon = commands.LogInquiry(order_id=order.id, channel="pigeon")
    assert fleet.refused(pigeon, InvalidField).field == "channel"
    fleet.refused(commands.LogInquiry(order_id="ord_missing", channel="phone"), NotFound)
