"""One row of a spreadsheet of orders read into an order draft, column by column.

Each bad cell becomes an :class:`ImportProblem` naming the spreadsheet row and column;
the draft is then checked with the domain's own rules for an order (those
``POST /api/v1/orders`` applies), so the file and the API refuse the same things.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from fleetline.domain.commands import OrderDraft
from fleetline.domain.errors import InvalidField
from fleetline.domain.model import (
    LOAD_DIMENSIONS,
    Client,
    Location,
    Order,
    TimeWindow,
    validate_load,
)
from fleetline.operations.order_files import Cell, SheetRow

DEFAULT_SERVICE_MINUTES = 5


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    """One column a file of orders may have, as the import page documents it."""

    name: str
    required: bool
    meaning: str


COLUMNS: tuple[ColumnDoc, ...] = (
    ColumnDoc("client", True, "the client's id, exact name or contact email"),
    ColumnDoc("date", True, "the delivery day, YYYY-MM-DD"),
    ColumnDoc("lat", True, "latitude in degrees, e.g. 47.141"),
    ColumnDoc("lon", True, "longitude in degrees, e.g. 9.521"),
    ColumnDoc("window_start", True, "HH:MM local time, or an ISO time with offset"),
    ColumnDoc("window_end", True, "HH:MM local time, or an ISO time with offset"),
    ColumnDoc(
        "service_minutes", False, f"minutes spent at the stop (default {DEFAULT_SERVICE_MINUTES})"
    ),
    *(ColumnDoc(name, False, "amount of this load dimension, whole") for name in LOAD_DIMENSIONS),
    ColumnDoc("skills", False, "skills the truck needs, separated by ; (e.g. tail_lift)"),
    ColumnDoc("reference", False, "your order number; unique per client"),
    ColumnDoc("address", False, "the address as shown to the driver"),
    ColumnDoc("instructions", False, "instructions for the driver"),
)
"""Every column read; any other column is reported, so a misspelt one is never ignored."""

KNOWN = {column.name for column in COLUMNS}
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
_TEXT_LIMITS = {"reference": 100, "address": 500, "instructions": 2000, "client": 254}
_FORMULA = re.compile(r"^[=@\t\r]|^[+\-][^\d\s.]|^[+\-].*[|!=(]")
"""Text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd|...``,
``-2+3+cmd|...``); a phone number such as ``+41 79 123 45 67`` is not one."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong in the file: its spreadsheet row (1 is the header) and column."""

    row: int
    field: str
    problem: str


class ClientDirectory:
    """Finds a client by id, exact name or contact email (case does not matter)."""

    def __init__(self, clients: Iterable[Client]) -> None:
        self._by_id: dict[str, str] = {}
        self._by_key: dict[str, set[str]] = {}
        for client in clients:
            self._by_id[client.id] = client.id
            for key in (client.name, client.contact.email):
                if key:
                    self._by_key.setdefault(key.strip().casefold(), set()).add(client.id)

    def find(self, text: str) -> str:
        """Return the client's id.

        Raises
        ------
        InvalidField
            On ``client`` when no client, or more than one, matches.
        """
        if text in self._by_id:
            return text
        found = self._by_key.get(text.strip().casefold(), set())
        if len(found) > 1:
            raise InvalidField("client", f"{len(found)} clients match {text!r}: use the id")
        if not found:
            raise InvalidField("client", f"no client has the id, name or email {text!r}")
        return next(iter(found))


class _Row:
    """Reads one row's cells, collecting a problem per bad column instead of stopping."""

    def __init__(self, row: SheetRow, problems: list[ImportProblem]) -> None:
        self.row = row
        self.problems = problems

    def fail(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.row.number, column, message))

    def cell(self, column: str) -> Cell:
        value = self.row.cells.get(column)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.cell(column)
        if value is None:
            if required:
                self.fail(column, "must not be empty")
            return None
        text = value.isoformat() if isinstance(value, date | time) else str(value)
        if _FORMULA.match(text):
            self.fail(column, "looks like a spreadsheet formula; type the value itself")
            return None
        limit = _TEXT_LIMITS.get(column, 200)
        if len(text) > limit:
            self.fail(column, f"longer than {limit} characters")
            return None
        return text

    def number(self, column: str) -> float | None:
        value = self.cell(column)
        if value is None:
            self.fail(column, "must not be empty")
            return None
        if isinstance(value, bool | date | time):
            self.fail(column, "not a number")
            return None
        if isinstance(value, int | float):
            if not math.isfinite(value):
                self.fail(column, "not a number")
                return None
            return float(value)
        text = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.fail(column, f"not a number: {value!r}")
            return None
        return number

    def whole(self, column: str) -> int | None:
        if self.cell(column) is None:
            return None
        amount = self.number(column)
        if amount is None:
            return None
        if not amount.is_integer():
            self.fail(column, "amount must be a whole number")
            return None
        return int(amount)

    def day(self, column: str) -> date | None:
        value = self.cell(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value is None:
            self.fail(column, "must not be empty")
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(column, f"not a date (YYYY-MM-DD): {value!r}")
            return None

    def moment(self, column: str, day: date | None, zone: tzinfo) -> datetime | None:
        value = self.cell(column)
        if value is None:
            self.fail(column, "must not be empty")
            return None
        if isinstance(value, datetime):
            moment: datetime | None = value
        elif isinstance(value, time):
            moment = datetime.combine(day, value) if day else None
        else:
            clock = _clock(str(value))
            moment = _iso_moment(str(value)) if clock is None else None
            if clock is None and moment is None:
                self.fail(column, f"not a time (HH:MM or ISO with offset): {value!r}")
                return None
            if clock is not None:
                moment = datetime.combine(day, clock) if day else None
        if moment is None:
            return None  # the date is wrong; that problem is reported on its own column
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _clock(text: str) -> time | None:
    """``"9:05"`` or ``"09:05:30"`` as a time of day; ``None`` when it is not one."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if match is None:
        return None
    hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def _iso_moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


_DOMAIN_COLUMNS = {
    "start": "window_start",
    "end": "window_end",
    "time_windows": "window_start",
    "service_s": "service_minutes",
    "client_id": "client",
    "required_skills": "skills",
    "location": "lat",
}


def column_of(domain_field: str) -> str:
    """The file's column for a field the domain names (``demand.pallets`` -> ``pallets``)."""
    head = re.sub(r"\[\d+\]", "", domain_field)
    if head.startswith("demand."):
        return head.removeprefix("demand.")
    last = head.rsplit(".", 1)[-1] if head.startswith("time_windows") else head
    return _DOMAIN_COLUMNS.get(last, _DOMAIN_COLUMNS.get(head.split(".")[0], head or "file"))


def read_row(
    sheet_row: SheetRow, clients: ClientDirectory, zone: tzinfo, problems: list[ImportProblem]
) -> OrderDraft | None:
    """Read one row into an order draft, or ``None`` after adding its problems.

    Parameters
    ----------
    sheet_row
        The row's number and cells.
    clients
        The clients the ``client`` column may name.
    zone
        The company's time zone, in which ``HH:MM`` and naive times are read.
    problems
        Where each bad column's problem is added.
    """
    row = _Row(sheet_row, problems)
    client_id = None
    client = row.text("client", required=True)
    if client is not None:
        try:
            client_id = clients.find(client)
        except InvalidField as error:
            row.fail("client", error.message)
    day = row.day("date")
    location = _location(row)
    window = _window(row, day, zone)
    demand = _demand(row, sheet_row.cells)
    minutes = row.number("service_minutes") if row.cell("service_minutes") is not None else None
    service_s = round((DEFAULT_SERVICE_MINUTES if minutes is None else minutes) * 60)
    skills_text = row.text("skills")
    skills = frozenset(s.strip() for s in re.split(r"[;,]", skills_text or "") if s.strip())
    reference = row.text("reference")
    address = row.text("address") or ""
    instructions = row.text("instructions") or ""
    if problems or client_id is None or day is None or location is None or window is None:
        return None
    if demand is None:
        return None
    draft = OrderDraft(
        client_id=client_id,
        date=day,
        location=location,
        time_windows=(window,),
        demand=demand,
        service_s=service_s,
        required_skills=skills,
        reference=reference,
        address=address,
        instructions=instructions,
    )
    try:
        _check_like_the_api(draft)
    except InvalidField as error:
        row.fail(column_of(error.field), error.message)
        return None
    return draft


def _location(row: _Row) -> Location | None:
    lat, lon = row.number("lat"), row.number("lon")
    if lat is None or lon is None:
        return None
    try:
        return Location(lat, lon)
    except InvalidField as error:
        row.fail(error.field, error.message)
        return None


def _window(row: _Row, day: date | None, zone: tzinfo) -> TimeWindow | None:
    start = row.moment("window_start", day, zone)
    end = row.moment("window_end", day, zone)
    if start is None or end is None:
        return None
    try:
        return TimeWindow(start, end)
    except InvalidField as error:
        row.fail(column_of(error.field), error.message)
        return None


def _demand(row: _Row, cells: Mapping[str, Cell]) -> dict[str, int] | None:
    amounts: dict[str, int] = {}
    failed = False
    for name in LOAD_DIMENSIONS:
        if name not in cells:
            continue
        amount = row.whole(name)
        if amount is None:
            failed = failed or row.cell(name) is not None
            continue
        amounts[name] = amount
    if failed:
        return None
    try:
        return validate_load(amounts, "demand")
    except InvalidField as error:
        row.fail(column_of(error.field), error.message)
        return None


def _check_like_the_api(draft: OrderDraft) -> None:
    """Apply the rules ``POST /api/v1/orders`` applies to one order (the domain's own)."""
    if len(draft.required_skills) > 20:
        raise InvalidField("required_skills", "at most 20 skills")
    for skill in draft.required_skills:
        if len(skill) > 50:
            raise InvalidField("required_skills", "a skill is longer than 50 characters")
    Order(
        id="checked",
        client_id=draft.client_id,
        date=draft.date,
        location=draft.location,
        time_windows=draft.time_windows,
        demand=draft.demand,
        service_s=draft.service_s,
        required_skills=draft.required_skills,
        reference=draft.reference,
        address=draft.address,
        instructions=draft.instructions,
    )
