"""Importing a file of orders as a whole: checked row by row, then stored all or none.

:func:`check_file` is the dry run (nothing stored); :func:`import_order_file` handles
:class:`~fleetline.domain.commands.ImportOrderFile` on the bus, checking the file again in
the same transaction as it stores the orders, so a reference taken in between is caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import DomainError, InvalidField
from fleetline.domain.model import Order
from fleetline.operations.order_files import UnreadableFile
from fleetline.operations.order_import import (
    ImportReport,
    check_order_file,
    import_command,
    problem_of,
)
from fleetline.operations.orders import create_orders
from fleetline.operations.ports import UnitOfWork

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ACCEPTED = ", ".join((*CSV_SUFFIXES, *WORKBOOK_SUFFIXES))
"""The file names a browser's file picker is told to offer."""
_CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}
_ZIP = b"PK\x03\x04"


class FileRefused(InvalidField):
    """The file has problems (``report`` names each by row and column); nothing was stored."""

    def __init__(self, report: ImportReport) -> None:
        count = len(report.problems)
        super().__init__(
            "file", f"{count} problem{'s' if count != 1 else ''} in the file; nothing was stored"
        )
        self.report = report


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """A file stored as a whole: what was read and the orders made of it."""

    report: ImportReport
    orders: tuple[Order, ...]

    @property
    def days(self) -> tuple[date, ...]:
        """The delivery days of the stored orders, earliest first."""
        return tuple(sorted({order.date for order in self.orders}))


def reading_name(filename: str, content_type: str, content: bytes) -> str:
    """The name :func:`~fleetline.operations.order_files.read_sheet` should read as.

    A workbook is told by its name (``.xlsx``) or its content (a zip file); a CSV by its
    name or its content type. Anything else is refused, so that a PDF or an image is
    never read as a sheet of odd columns.

    Raises
    ------
    InvalidField
        On ``file`` when the file is empty, binary, or neither CSV nor Excel.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if not content.strip():
        raise InvalidField("file", "the file is empty")
    if suffix in WORKBOOK_SUFFIXES or content.startswith(_ZIP):
        if not content.startswith(_ZIP):
            raise InvalidField("file", "not a readable Excel workbook (.xlsx)")
        return "orders.xlsx"
    if suffix == ".xls":
        raise InvalidField("file", "old .xls workbooks are not read: save the file as .xlsx or CSV")
    kind = content_type.split(";")[0].strip().lower()
    if suffix not in CSV_SUFFIXES and (suffix or kind not in _CSV_TYPES):
        raise InvalidField("file", f"expected a CSV or Excel file ({ACCEPTED})")
    if b"\x00" in content[:65536]:
        raise InvalidField("file", "not a CSV text file (it holds binary data)")
    return "orders.csv"


def check_file(
    uow: UnitOfWork, filename: str, content: bytes, content_type: str = ""
) -> ImportReport:
    """Read a file of orders and report every problem by row and column; store nothing.

    Parameters
    ----------
    uow
        Reads clients, the company's time zone and the references already taken.
    filename
        The file's name as uploaded.
    content
        Its bytes.
    content_type
        Its media type as uploaded (helps when the name has no suffix).

    Raises
    ------
    InvalidField
        On ``file`` when it cannot be read as a spreadsheet at all.
    """
    name = reading_name(filename, content_type, content)
    try:
        return check_order_file(uow, content, name)
    except UnreadableFile as error:
        raise InvalidField("file", error.message) from error


def import_order_file(
    command: commands.ImportOrderFile, uow: UnitOfWork, context: Context
) -> ImportedFile:
    """Store every order of the file, or none when any row has a problem.

    Raises
    ------
    FileRefused
        With the report, when any row or column has a problem.
    InvalidField
        On ``file`` when it cannot be read as a spreadsheet at all.
    """
    report = check_file(uow, command.filename, command.content, command.content_type)
    if not report.complete:
        raise FileRefused(report)
    try:
        orders = create_orders(import_command(report.orders), uow, context)
    except DomainError as error:
        refused = ImportReport(report.rows, (), (problem_of(error, report.orders),))
        raise FileRefused(refused) from error
    uow.record(
        events.OrderFileImported(
            occurred_at=context.clock.now(),
            filename=PurePath(command.filename).name[:200],
            rows=report.rows,
            order_ids=tuple(order.id for order in orders),
        )
    )
    return ImportedFile(report, tuple(orders))
