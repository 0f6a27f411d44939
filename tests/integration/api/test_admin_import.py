"""Importing orders from a CSV or Excel file: a report by row and column, all or none."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company

HEADER = "client,date,lat,lon,window_start,window_end,service_minutes,weight_kg,pallets,reference"
PATH = "/api/v1/orders/import"


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def _row(reference: str, window: str = "09:00,11:30", client: str = "Client 1") -> str:
    return f"{client},{DAY},47.14,9.52,{window},10,120,1,{reference}"


def _send(
    api: Api,
    content: bytes,
    name: str = "orders.csv",
    media: str = "text/csv",
    role: Role = Role.ADMIN,
    key: str | None = None,
    **params: Any,
) -> Any:
    return api.client.post(
        PATH,
        files={"file": (name, content, media)},
        params=params,
        headers=api.headers(role, key),
    )


def _day_orders(api: Api) -> int:
    total: int = api.get("/api/v1/orders", date=DAY).json()["total"]
    return total


def test_a_dry_run_reports_a_bad_window_by_row_and_column_and_stores_nothing(
    api: Api, company: Company
) -> None:
    """The admin sees row 3's window problem before anything is stored."""
    content = _csv(_row("A-1"), _row("A-2", window="12:00,08:00"), _row("A-3"))
    answer = _send(api, content, dry_run="true")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["rows"] == 3 and report["orders"] == 2
    assert report["valid"] is False and report["stored"] == 0 and report["dry_run"] is True
    assert report["problems"] == [
        {"row": 3, "field": "window_end", "message": "time window ends before it starts"}
    ]
    assert _day_orders(api) == 0


def test_a_file_with_a_bad_row_is_refused_whole_naming_the_row(api: Api, company: Company) -> None:
    """Importing a file with one bad row stores none of its good rows (422, the report)."""
    content = _csv(_row("A-1"), _row("A-2", window="12:00,08:00"))
    answer = _send(api, content)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"]["code"] == "invalid_file"
    assert body["error"]["details"][0]["field"] == "rows[3].window_end"
    assert body["report"]["problems"][0]["row"] == 3
    assert _day_orders(api) == 0


def test_a_good_file_is_stored_whole_and_logged(api: Api, company: Company) -> None:
    """Every row becomes an order of its day, and the event log says a file was imported."""
    answer = _send(api, _csv(_row("B-1"), _row("B-2", client="Client 3")))
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["stored"] == 2 and report["valid"] is True and report["dates"] == [DAY]
    stored = api.get("/api/v1/orders", date=DAY).json()["orders"]
    assert sorted(o["reference"] for o in stored) == ["B-1", "B-2"]
    assert {o["id"] for o in stored} == set(report["order_ids"])
    with api.services.uow_factory() as uow:
        kinds = [logged.event.type_name for logged in uow.events.list()]
    assert "OrderFileImported" in kinds


def test_an_excel_workbook_is_read_like_a_csv(api: Api, company: Company) -> None:
    """An .xlsx with the same columns gives the same orders."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Client 5", DAY, 47.14, 9.52, "08:00", "10:00", 5, 200, 2, "X-1"])
    data = io.BytesIO()
    book.save(data)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = _send(api, data.getvalue(), name="orders.xlsx", media=media)
    assert answer.status_code == 201, answer.text
    assert answer.json()["stored"] == 1


def test_a_retried_import_with_the_same_key_stores_the_file_once(
    api: Api, company: Company
) -> None:
    """A client that retries after a lost answer does not get every order twice."""
    content = _csv(_row("C-1"))
    first = _send(api, content, key="import-1")
    again = _send(api, content, key="import-1")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert _day_orders(api) == 1


def test_a_reference_already_taken_is_reported_on_its_row(api: Api, company: Company) -> None:
    """Importing the same file twice refuses the second time and names the reference."""
    content = _csv(_row("D-1"))
    assert _send(api, content).status_code == 201
    again = _send(api, content)
    assert again.status_code == 422
    assert again.json()["report"]["problems"][0] == {
        "row": 2,
        "field": "reference",
        "message": "the client already has an order with reference 'D-1'",
    }
    assert _day_orders(api) == 1


def test_files_that_are_not_spreadsheets_or_are_empty_are_refused_on_file(
    api: Api, company: Company
) -> None:
    """A PDF, an image named .csv, an empty file and a broken workbook change nothing."""
    cases = [
        (b"%PDF-1.4 binary", "orders.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "orders.csv", "text/csv"),
        (b"", "orders.csv", "text/csv"),
        (b"   \n\n", "orders.csv", "text/csv"),
        (b"not a zip", "orders.xlsx", "application/octet-stream"),
        (b"client,date\n", "orders.xls", "application/vnd.ms-excel"),
    ]
    for content, name, media in cases:
        for dry_run in ("true", "false"):
            answer = _send(api, content, name=name, media=media, dry_run=dry_run)
            assert answer.status_code == 422, (name, answer.text)
            assert answer.json()["error"]["details"][0]["field"] == "file", name
    assert _day_orders(api) == 0


def test_a_file_with_only_a_header_reports_that_it_has_no_orders(
    api: Api, company: Company
) -> None:
    """A header without rows is no import: the report says the file has no orders."""
    answer = _send(api, _csv(), dry_run="true")
    assert answer.status_code == 200
    assert answer.json()["problems"][0]["message"] == "the file has no orders"
    assert _send(api, _csv()).status_code == 422


def test_a_missing_file_field_is_a_422_naming_file(api: Api, company: Company) -> None:
    """A request without the multipart field says which field is missing."""
    answer = api.client.post(PATH, headers=api.headers(Role.ADMIN))
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "file"


def test_dispatchers_may_import_and_agents_may_not(api: Api, company: Company) -> None:
    """Importing follows the rules of POST /orders: planners yes, customer service no."""
    assert _send(api, _csv(_row("E-1")), role=Role.DISPATCHER).status_code == 201
    assert _send(api, _csv(_row("E-2")), role=Role.AGENT).status_code == 403
    assert _day_orders(api) == 1
