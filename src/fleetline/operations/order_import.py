"""Checking a spreadsheet of orders before anything is stored, and importing it.

An admin uploads a CSV or Excel file; :func:`check_order_file` reads every row into an
:class:`~fleetline.domain.commands.OrderDraft` with the same domain rules the API applies
(:class:`~fleetline.domain.model.Order`, locations, windows, loads, references) and
reports each problem by spreadsheet row and column. Nothing is stored until the admin
sends :func:`import_command`'s :class:`~fleetline.domain.commands.CreateOrders`, which
stores every order of it or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo

from fleetline.domain.commands import CreateOrders, OrderDraft
from fleetline.domain.errors import DomainError, InvalidField
from fleetline.operations.company import company_zone
from fleetline.operations.order_files import Sheet, read_sheet
from fleetline.operations.order_rows import (
    COLUMNS,
    KNOWN,
    REQUIRED,
    ClientDirectory,
    ImportProblem,
    column_of,
    read_row,
)
from fleetline.operations.ports import UnitOfWork

HEADER_ROW = 1


@dataclass(frozen=True, slots=True)
class RowOrder:
    """An order read from a valid row."""

    row: int
    draft: OrderDraft


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a file holds: its valid orders and its problems, before anything is stored."""

    rows: int
    """Non-blank rows below the header."""
    orders: tuple[RowOrder, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def complete(self) -> bool:
        """Whether every row is a valid order (then the whole file may be imported)."""
        return not self.problems and bool(self.orders)


def check_order_file(uow: UnitOfWork, content: bytes, filename: str) -> ImportReport:
    """Read a CSV or ``.xlsx`` file of orders and report every problem; store nothing.

    Parameters
    ----------
    uow
        Reads the clients, the company's time zone and the references already taken.
    content
        The file's bytes.
    filename
        Its name (``.xlsx`` is read as a workbook, anything else as CSV).

    Returns
    -------
    ImportReport
        The orders of the valid rows, and a problem per row and column otherwise.

    Raises
    ------
    UnreadableFile
        When the file cannot be read as a spreadsheet at all.
    """
    sheet = read_sheet(content, filename)
    report = read_orders(sheet, ClientDirectory(uow.clients.list()), company_zone(uow))
    pairs = {
        (order.draft.client_id, order.draft.reference)
        for order in report.orders
        if order.draft.reference is not None
    }
    taken = uow.orders.existing_references(pairs) if pairs else set()
    if not taken:
        return report
    problems = list(report.problems)
    kept: list[RowOrder] = []
    for order in report.orders:
        if (order.draft.client_id, order.draft.reference) in taken:
            problems.append(
                ImportProblem(
                    order.row,
                    "reference",
                    f"the client already has an order with reference {order.draft.reference!r}",
                )
            )
        else:
            kept.append(order)
    return ImportReport(report.rows, tuple(kept), _sorted(problems))


def import_command(orders: Iterable[RowOrder]) -> CreateOrders:
    """The command that stores ``orders`` (all or none)."""
    return CreateOrders(orders=tuple(order.draft for order in orders))


def problem_of(error: DomainError, orders: tuple[RowOrder, ...]) -> ImportProblem:
    """Name the row and column of an error ``CreateOrders`` raised for ``orders``.

    The command names an order by its index (``[3].reference``); the admin knows rows.
    """
    field = getattr(error, "field", None) or ""
    match = re.match(r"^\[(\d+)\]\.?(.*)$", field)
    if match is None or int(match.group(1)) >= len(orders):
        return ImportProblem(HEADER_ROW, "file", str(error))
    message = error.message if isinstance(error, InvalidField) else str(error)
    return ImportProblem(orders[int(match.group(1))].row, column_of(match.group(2)), message)


def read_orders(sheet: Sheet, clients: ClientDirectory, zone: tzinfo) -> ImportReport:
    """Read every row of ``sheet`` into an order, local times in ``zone``.

    Parameters
    ----------
    sheet
        The file's columns and rows.
    clients
        The clients a row may name.
    zone
        The company's time zone, in which ``HH:MM`` times are read.

    Returns
    -------
    ImportReport
        The valid rows' orders and every problem (the header's on row 1).
    """
    problems = _header_problems(sheet.columns)
    if any(p.problem.startswith("missing") for p in problems) or not sheet.rows:
        if not sheet.rows:
            problems.append(ImportProblem(HEADER_ROW, "file", "the file has no orders"))
        return ImportReport(len(sheet.rows), (), _sorted(problems))
    orders: list[RowOrder] = []
    first_row: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        row_problems: list[ImportProblem] = []
        draft = read_row(row, clients, zone, row_problems)
        if draft is not None and draft.reference is not None:
            pair = (draft.client_id, draft.reference)
            if pair in first_row:
                row_problems.append(
                    ImportProblem(
                        row.number,
                        "reference",
                        f"reference {draft.reference!r} is also on row {first_row[pair]}"
                        " for the same client",
                    )
                )
            else:
                first_row[pair] = row.number
        problems.extend(row_problems)
        if draft is not None and not row_problems:
            orders.append(RowOrder(row.number, draft))
    return ImportReport(len(sheet.rows), tuple(orders), _sorted(problems))


def _header_problems(columns: tuple[str, ...]) -> list[ImportProblem]:
    problems = [
        ImportProblem(HEADER_ROW, name, f"missing column {name!r}")
        for name in REQUIRED
        if name not in columns
    ]
    seen: set[str] = set()
    for name in columns:
        if not name:
            continue
        if name not in KNOWN:
            problems.append(
                ImportProblem(HEADER_ROW, name, "unknown column; see the list of columns")
            )
        elif name in seen:
            problems.append(ImportProblem(HEADER_ROW, name, "the column appears twice"))
        seen.add(name)
    return problems


def _sorted(problems: Iterable[ImportProblem]) -> tuple[ImportProblem, ...]:
    order = {name: i for i, name in enumerate(c.name for c in COLUMNS)}
    return tuple(sorted(problems, key=lambda p: (p.row, order.get(p.field, len(order)))))
