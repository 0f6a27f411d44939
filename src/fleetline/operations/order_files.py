"""Reading a spreadsheet of orders (CSV or Excel ``.xlsx``) into rows of named cells.

Only the reading lives here: which file, which encoding, which delimiter, which header.
What the cells mean is :mod:`fleetline.operations.order_import`'s business.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The largest file read (about 20,000 order rows of CSV)."""

MAX_ROWS = 10_000
"""The most orders one file may hold, as many as one API request."""

Cell = str | int | float | date | datetime | time | None
"""A cell as read: text from a CSV; text, numbers, dates or times from a workbook."""


class UnreadableFile(ValueError):
    """The file is not a spreadsheet we can read (or is too big); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of the sheet: its number as a spreadsheet shows it, and its cells by column."""

    number: int
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet's columns (normalised names, in file order) and its non-empty rows."""

    columns: tuple[str, ...]
    rows: tuple[SheetRow, ...]


def column_key(header: object) -> str:
    """Normalise a header: ``" Window Start "`` -> ``"window_start"``."""
    text = "" if header is None else str(header)
    return "_".join(text.strip().lower().replace("-", " ").split())


def read_sheet(content: bytes, filename: str) -> Sheet:
    """Read a CSV or ``.xlsx`` file's first sheet; the first row names the columns.

    Parameters
    ----------
    content
        The file's bytes.
    filename
        Its name; ``.xlsx`` is read as a workbook, anything else as CSV.

    Returns
    -------
    Sheet
        The columns and every row that is not blank (row 1 is the header).

    Raises
    ------
    UnreadableFile
        When the file is too big, empty, not a workbook, or has too many rows.
    """
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not content.strip():
        raise UnreadableFile("the file is empty")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        lines = _workbook_lines(content)
    elif filename.lower().endswith(".xls"):
        raise UnreadableFile("old .xls workbooks are not read: save the file as .xlsx or CSV")
    else:
        lines = _csv_lines(content)
    return _sheet(lines)


def _sheet(lines: Iterator[list[Cell]]) -> Sheet:
    header = next(lines, None)
    if header is None or not any(_filled(cell) for cell in header):
        raise UnreadableFile("the first row must name the columns")
    columns = tuple(column_key(cell) for cell in header)
    rows: list[SheetRow] = []
    for number, line in enumerate(lines, start=2):
        if not any(_filled(cell) for cell in line):
            continue
        if len(rows) == MAX_ROWS:
            raise UnreadableFile(f"the file has more than {MAX_ROWS:,} orders: split it")
        cells = {name: line[i] if i < len(line) else None for i, name in enumerate(columns)}
        rows.append(SheetRow(number, cells))
    return Sheet(columns, tuple(rows))


def _filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _csv_lines(content: bytes) -> Iterator[list[Cell]]:
    text = _decode(content)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable CSV file ({exc})") from exc
    return iter([list(line) for line in lines])


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the file is not text in UTF-8 or Windows-1252")


def _workbook_lines(content: bytes) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise UnreadableFile("not a readable Excel workbook (.xlsx)") from exc
    try:
        sheet = workbook.worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return iter(lines)
