"""Orders import: upload a CSV or Excel file, read its report, then import it whole.

The file is checked row by row as soon as it is chosen and nothing is stored: the report
lists each problem by row and column. Only a file without problems offers the button
that stores all its orders, in one command, all or none.
"""

from __future__ import annotations

from datetime import date

from nicegui import events, ui

from fleetline.domain import commands
from fleetline.domain.errors import DomainError, InvalidField
from fleetline.operations.order_file_import import ACCEPTED, FileRefused, ImportedFile
from fleetline.operations.order_files import MAX_FILE_BYTES
from fleetline.operations.order_import import ImportReport
from fleetline.operations.order_rows import COLUMNS
from fleetline.ui.admin.common import in_worker, send, sentence
from fleetline.ui.admin.reading import check_order_upload

SAMPLE = (
    "client,date,lat,lon,window_start,window_end,service_minutes,weight_kg,pallets,reference\n"
    "{client},{day},47.141,9.521,09:00,11:30,10,120,1,A-1001\n"
)
REPORT_PAGE = 50
"""Problems shown per page of the report."""
REPORT_COLUMNS = [
    {"name": "row", "label": "Row", "field": "row", "align": "right", "style": "width: 4rem"},
    {"name": "column", "label": "Column", "field": "column", "align": "left"},
    {"name": "problem", "label": "Problem", "field": "problem", "align": "left"},
]


def day_words(days: tuple[date, ...] | list[date]) -> str:
    """Delivery days as an admin reads them: ``Thu 26 Nov 2026`` (and others)."""
    names = [f"{d:%a %d %b %Y}" for d in sorted(days)]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{names[0]} to {names[-1]} ({len(names)} days)"


def plural(count: int, word: str) -> str:
    """``1 order``, ``3 orders``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _columns_help() -> None:
    """What each column of the file means, folded away until asked for."""
    expansion = ui.expansion("Columns the file may have", icon="view_column")
    with expansion.classes("w-full").props("dense"), ui.element("div").classes("fl-columns"):
        for column in COLUMNS:
            ui.label(column.name).classes("text-weight-medium font-mono")
            ui.label(column.meaning + (" (required)" if column.required else "")).classes(
                "text-caption text-grey-8"
            )


class ImportPanel:
    """The orders import section: upload, report, import.

    Parameters
    ----------
    today
        The company's today (the sample file's day).
    sample_client
        A client's name for the sample file.
    """

    def __init__(self, today: date, sample_client: str) -> None:
        self._today = today
        self._sample_client = sample_client
        self._file: tuple[str, bytes, str] | None = None
        self._report: ImportReport | None = None
        with ui.card().classes("w-full").props("flat bordered"):
            ui.label("1. Choose the file").classes("text-subtitle1 text-weight-medium")
            ui.label(
                "CSV or Excel (.xlsx), first row naming the columns. The file is checked "
                "row by row first: nothing is stored until you import it."
            ).classes("text-body2 text-grey-8")
            with ui.row().classes("w-full items-start gap-4"):
                self._upload = (
                    ui.upload(
                        label="Choose a CSV or Excel file",
                        auto_upload=True,
                        max_file_size=MAX_FILE_BYTES,
                        on_upload=self._on_upload,
                        on_rejected=self._on_rejected,
                    )
                    .props(f'accept="{ACCEPTED}" flat bordered color=primary')
                    .props('data-testid="import-upload"')
                    .classes("w-full sm:w-80 fl-upload")
                )
                with ui.column().classes("gap-1 col min-w-0").style("min-width: 240px"):
                    _columns_help()
                    ui.button(
                        "Download a sample file", icon="download", on_click=self._sample
                    ).props("flat no-caps color=primary dense")
            self._file_error = ui.label("").classes("text-negative text-body2")
            self._file_error.props('data-testid="import-file-error" role="alert"')
        self._report_box = ui.column().classes("w-full gap-2")
        self._outcome = ui.column().classes("w-full")

    def _sample(self) -> None:
        client = self._sample_client.replace('"', "'")
        client = f'"{client}"' if "," in client else client
        sample = SAMPLE.format(client=client, day=self._today.isoformat())
        ui.download.content(sample, "orders-sample.csv")

    def _on_rejected(self) -> None:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        self._file_error.text = (
            f"Only CSV or Excel files ({ACCEPTED}) of up to {limit} MB can be imported."
        )

    async def _on_upload(self, event: events.UploadEventArguments) -> None:
        upload = event.file
        content = await upload.read()
        self._upload.reset()
        self._file_error.text = ""
        self._outcome.clear()
        self._report_box.clear()
        self._file = None
        self._report = None
        try:
            report = await in_worker(
                check_order_upload, upload.name, content, upload.content_type or ""
            )
        except InvalidField as error:
            self._file_error.text = f"{upload.name}: {sentence(error.message)}"
            return
        self._file = (upload.name, content, upload.content_type or "")
        self._report = report
        self._draw_report(upload.name, report)

    def _draw_report(self, name: str, report: ImportReport) -> None:
        self._report_box.clear()
        with self._report_box, ui.card().classes("w-full").props("flat bordered"):
            ui.label("2. Check the report").classes("text-subtitle1 text-weight-medium")
            summary = (
                f"{name}: {plural(report.rows, 'row')}, {plural(len(report.orders), 'valid order')}"
                f", {plural(len(report.problems), 'problem')}. Nothing has been stored."
            )
            ui.label(summary).classes("text-body1").props('data-testid="import-summary"')
            if report.problems:
                ui.label(
                    "Fix these rows in your file and choose it again; the file is imported "
                    "only as a whole."
                ).classes("text-body2 text-negative")
                rows = [
                    {"id": i, "row": p.row, "column": p.field, "problem": sentence(p.problem)}
                    for i, p in enumerate(report.problems)
                ]
                table = ui.table(
                    columns=REPORT_COLUMNS,
                    rows=rows,
                    row_key="id",
                    pagination=REPORT_PAGE if len(rows) > REPORT_PAGE else None,
                )
                table.classes("w-full fl-report").props(
                    'flat bordered dense wrap-cells data-testid="import-report"'
                )
                return
            days = tuple(sorted({o.draft.date for o in report.orders}))
            ui.label(f"Every row is a valid order, for {day_words(days)}.").classes(
                "text-body2 text-positive"
            )
            self._import_button = ui.button(
                f"Import {plural(len(report.orders), 'order')}",
                icon="playlist_add_check",
                on_click=self._on_import,
            ).props('unelevated color=positive no-caps data-testid="import-go"')

    async def _on_import(self) -> None:
        if self._file is None:
            return
        name, content, media = self._file
        self._import_button.disable()
        command = commands.ImportOrderFile(filename=name, content=content, content_type=media)
        try:
            imported: ImportedFile = await send(command)
        except FileRefused as error:
            self._draw_report(name, error.report)
            return
        except DomainError as error:
            self._file_error.text = sentence(str(error))
            self._import_button.enable()
            return
        self._file = None
        self._report_box.clear()
        self._outcome.clear()
        with (
            self._outcome,
            ui.card().classes("w-full bg-green-1").props('flat bordered data-testid="import-done"'),
        ):
            ui.label(
                f"Stored {plural(len(imported.orders), 'order')} for {day_words(imported.days)}."
            ).classes("text-body1 text-weight-medium")
            ui.label(
                "They are planned with the day: plan or re-plan it on the Dispatch console."
            ).classes("text-body2 text-grey-8")
