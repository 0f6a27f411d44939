"""Reading a spreadsheet of orders: what is accepted, and each problem named by row and column."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import Workbook

from fleetline.domain.errors import Conflict
from fleetline.domain.model import Client, Contact
from fleetline.operations.order_files import UnreadableFile, read_sheet
from fleetline.operations.order_import import (
    ImportReport,
    import_command,
    problem_of,
    read_orders,
)
from fleetline.operations.order_rows import ClientDirectory, ImportProblem

VADUZ = ZoneInfo("Europe/Vaduz")
HEADER = "client,date,lat,lon,window_start,window_end,service_minutes,weight_kg,pallets,reference"
GOOD = "Alpen Bakery,2026-11-26,47.14,9.52,09:00,11:30,10,120,1,A-1"
CLIENTS = ClientDirectory(
    [
        Client(id="cli_1", name="Alpen Bakery", priority=1, contact=Contact(email="a@alpen.li")),
        Client(id="cli_2", name="Rhein Pharma", priority=2),
        Client(id="cli_3", name="Twin", priority=3),
        Client(id="cli_4", name="twin", priority=3),
    ]
)


def report_of(*lines: str, header: str = HEADER) -> ImportReport:
    content = "\n".join([header, *lines]).encode()
    return read_orders(read_sheet(content, "orders.csv"), CLIENTS, VADUZ)


def problems_of(report: ImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.field) for p in report.problems}


def test_a_good_row_becomes_an_order_with_local_times_in_the_company_zone() -> None:
    """HH:MM is read in the company's zone; minutes become seconds; loads are kept."""
    report = report_of(GOOD)
    assert report.complete and report.problems == ()
    (order,) = report.orders
    draft = order.draft
    assert order.row == 2
    assert draft.client_id == "cli_1"
    assert draft.time_windows[0].start == datetime(2026, 11, 26, 9, 0, tzinfo=VADUZ)
    assert draft.time_windows[0].end == datetime(2026, 11, 26, 11, 30, tzinfo=VADUZ)
    assert draft.service_s == 600
    assert dict(draft.demand) == {"weight_kg": 120, "pallets": 1}
    assert draft.reference == "A-1"


def test_a_client_is_found_by_id_name_or_email_whatever_the_case() -> None:
    """The client column accepts an id, an exact name or the contact email."""
    rows = [
        GOOD.replace("Alpen Bakery", key).replace("A-1", f"R{i}")
        for i, key in enumerate(["cli_2", "RHEIN PHARMA", "A@Alpen.li"])
    ]
    report = report_of(*rows)
    assert [o.draft.client_id for o in report.orders] == ["cli_2", "cli_2", "cli_1"]


def test_an_unknown_or_ambiguous_client_is_reported_on_its_row() -> None:
    """Nobody's name, or two clients' name, is a problem of the client column."""
    report = report_of(GOOD.replace("Alpen Bakery", "Nobody"), GOOD.replace("Alpen Bakery", "Twin"))
    assert problems_of(report) == {(2, "client"), (3, "client")}
    assert "use the id" in report.problems[1].problem
    assert report.orders == ()


def test_missing_columns_are_reported_on_the_header_and_no_row_is_read() -> None:
    """A file without window_end (or lat) cannot give a single order."""
    header = "client,date,lat,lon,window_start,weight_kg"
    report = report_of("Alpen Bakery,2026-11-26,47.1,9.5,09:00,3", header=header)
    assert problems_of(report) == {(1, "window_end")}
    assert report.orders == () and not report.complete


def test_a_misspelt_column_is_reported_rather_than_ignored() -> None:
    """``wieght_kg`` would silently lose the weight: it is named as unknown."""
    report = report_of(GOOD + ",5", header=HEADER + ",wieght_kg")
    assert (1, "wieght_kg") in problems_of(report)


def test_a_window_ending_before_it_starts_names_window_end() -> None:
    """The domain's rule on windows, reported on the file's column."""
    report = report_of(GOOD.replace("09:00,11:30", "12:00,08:00"))
    assert report.problems == (ImportProblem(2, "window_end", "time window ends before it starts"),)


def test_iso_times_with_an_offset_are_taken_as_written() -> None:
    """An ISO time with its own offset is not re-read in the company zone."""
    line = GOOD.replace("09:00,11:30", "2026-11-26T08:00+00:00,2026-11-26T10:00+00:00")
    (order,) = report_of(line).orders
    assert order.draft.time_windows[0].start == datetime(2026, 11, 26, 9, 0, tzinfo=VADUZ)


def test_each_bad_cell_of_a_row_is_its_own_problem() -> None:
    """A bad date, a latitude off the globe and a fractional pallet: three problems."""
    line = "Alpen Bakery,26/11/2026,147.1,9.5,09:00,11:00,10,120,1.5,B-1"
    report = report_of(line)
    assert problems_of(report) == {(2, "date"), (2, "lat"), (2, "pallets")}


def test_service_minutes_beyond_a_working_day_are_refused_like_the_api_does() -> None:
    """The order's own rule (0 to 8 hours) names the service_minutes column."""
    report = report_of(GOOD.replace(",10,120", ",600,120"))
    assert problems_of(report) == {(2, "service_minutes")}


def test_a_reference_twice_for_one_client_is_reported_on_the_second_row() -> None:
    """Duplicates in the file are caught before the store would refuse them."""
    report = report_of(GOOD, GOOD)
    assert problems_of(report) == {(3, "reference")}
    assert "row 2" in report.problems[0].problem
    assert [o.row for o in report.orders] == [2]


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "@SUM(A1)", "+cmd|'/C calc'!A0", "-2+3+cmd|x"]
)
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_refused(cell: str) -> None:
    """Text starting like a formula never reaches the store, where an export would run it."""
    header = HEADER + ",instructions"
    report = report_of(GOOD + f",{cell}", header=header)
    assert problems_of(report) == {(2, "instructions")}
    assert "formula" in report.problems[0].problem


def test_a_phone_number_in_the_instructions_is_not_mistaken_for_a_formula() -> None:
    """``+41 79 ...`` is a phone number, not a formula."""
    report = report_of(GOOD + ",+41 79 123 45 67 on arrival", header=HEADER + ",instructions")
    assert report.complete
    assert report.orders[0].draft.instructions == "+41 79 123 45 67 on arrival"


def test_semicolon_separated_files_with_decimal_commas_are_read() -> None:
    """A CSV saved by a European Excel: ``;`` between cells, ``,`` in decimals."""
    content = HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";").replace("47.14", "47,14")
    report = read_orders(read_sheet(content.encode("cp1252"), "orders.csv"), CLIENTS, VADUZ)
    assert report.complete
    assert report.orders[0].draft.location.lat == pytest.approx(47.14)


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_number() -> None:
    """A problem on the fourth line of the file is reported on row 4."""
    report = report_of(GOOD, "", GOOD.replace("A-1", "A-2").replace("47.14", "x"))
    assert problems_of(report) == {(4, "lat")}


def test_an_empty_file_or_a_header_alone_gives_no_orders() -> None:
    """Nothing to import is said, not silently accepted."""
    with pytest.raises(UnreadableFile):
        read_sheet(b"  \n", "orders.csv")
    report = report_of()
    assert not report.complete
    assert problems_of(report) == {(1, "file")}


def test_an_old_xls_workbook_is_refused_with_what_to_do() -> None:
    """The admin is told to save as .xlsx or CSV."""
    with pytest.raises(UnreadableFile, match="xlsx"):
        read_sheet(b"\xd0\xcf\x11\xe0 not really", "orders.xls")


def test_a_real_xlsx_with_date_and_time_cells_is_read() -> None:
    """Excel's own date and time cells, numbers and text, from a workbook openpyxl writes."""
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Client", "Date", "Lat", "Lon", "Window start", "Window end", "Pallets", "Instructions"]
    )
    sheet.append(["cli_2", date(2026, 11, 26), 47.2, 9.55, time(13, 0), time(15, 0), 2, "Gate B"])
    sheet.append(["cli_1", datetime(2026, 11, 26), 47.1, 9.5, "08:00", "07:00", 1, "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = read_orders(read_sheet(buffer.getvalue(), "day.xlsx"), CLIENTS, VADUZ)
    (order,) = report.orders
    assert order.row == 2
    assert order.draft.time_windows[0].start == datetime(2026, 11, 26, 13, 0, tzinfo=VADUZ)
    assert dict(order.draft.demand) == {"pallets": 2}
    assert order.draft.service_s == 300
    assert problems_of(report) == {(3, "window_end"), (3, "instructions")}


def test_a_file_that_is_not_a_workbook_is_unreadable() -> None:
    """Bytes that are no zip are refused as a whole, with a message."""
    with pytest.raises(UnreadableFile, match="Excel"):
        read_sheet(b"hello", "orders.xlsx")


def test_the_store_refusing_an_order_names_its_row() -> None:
    """A clash found only when importing (``[1].reference``) points at the file's row."""
    report = report_of(GOOD, GOOD.replace("A-1", "A-2"))
    error = Conflict("client cli_1 already has an order with reference 'A-2'", "[1].reference")
    assert problem_of(error, report.orders) == ImportProblem(3, "reference", str(error))
    assert len(import_command(report.orders).orders) == 2


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@settings(max_examples=200, deadline=None)
@given(date_cell=cells, lat_cell=cells, start_cell=cells, end_cell=cells, pallets_cell=cells)
def test_any_cells_give_orders_or_problems_on_their_row_never_a_crash(
    date_cell: str, lat_cell: str, start_cell: str, end_cell: str, pallets_cell: str
) -> None:
    """Whatever is typed, the row is either a valid order or reported, by row and column."""
    values = [
        "Alpen Bakery",
        date_cell,
        lat_cell,
        "9.5",
        start_cell,
        end_cell,
        "5",
        "1",
        pallets_cell,
        "H-1",
    ]
    quoted = ",".join('"' + v.replace('"', '""') + '"' for v in values)
    content = (HEADER + "\n" + quoted).encode()
    try:
        sheet = read_sheet(content, "orders.csv")
    except UnreadableFile:
        return
    report = read_orders(sheet, CLIENTS, VADUZ)
    columns = set(HEADER.split(",")) | {"file"}
    assert all(p.field in columns for p in report.problems)
    assert all(p.row >= 1 for p in report.problems)
    if any(p.row == 1 for p in report.problems):
        assert report.orders == ()
    else:
        assert bool(report.orders) == (not report.problems)


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    start=st.integers(0, 23 * 60 + 58),
    length=st.integers(-600, 600),
)
def test_a_window_is_accepted_exactly_when_it_ends_after_it_starts(
    day: date, start: int, length: int
) -> None:
    """Local HH:MM windows on any day: valid iff the end is later (same day)."""
    end = start + length
    if not 0 <= end < 24 * 60:
        return
    line = (
        f"cli_1,{day.isoformat()},47.1,9.5,{start // 60:02d}:{start % 60:02d},"
        f"{end // 60:02d}:{end % 60:02d},5,10,1,W"
    )
    report = report_of(line)
    assert report.complete == (length > 0)
    if length <= 0:
        assert problems_of(report) == {(2, "window_end")}
