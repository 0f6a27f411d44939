"""Orders from a CSV or Excel file: a validation report by row and column, stored all or none."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from fleetline.api.deps import PLANNERS, IdempotencyKey, ServicesDep, execute, require
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.api.schemas_admin import ImportReportOut
from fleetline.domain import commands
from fleetline.domain.access import ApiToken
from fleetline.operations.order_file_import import (
    ACCEPTED,
    FileRefused,
    ImportedFile,
    check_file,
)
from fleetline.operations.order_files import MAX_FILE_BYTES
from fleetline.operations.order_import import ImportReport
from fleetline.operations.order_rows import COLUMNS

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["orders"])
Importer = Annotated[ApiToken, Depends(require(*PLANNERS))]

_COLUMNS_DOC = "\n".join(
    f"- `{c.name}`{' (required)' if c.required else ''}: {c.meaning}" for c in COLUMNS
)


def report_body(
    report: ImportReport, *, dry_run: bool, imported: ImportedFile | None = None
) -> dict[str, Any]:
    """The validation report as the API shows it."""
    return {
        "rows": report.rows,
        "valid": report.complete,
        "orders": len(report.orders),
        "problems": [
            {"row": p.row, "field": p.field, "message": p.problem} for p in report.problems
        ],
        "stored": len(imported.orders) if imported else 0,
        "dates": sorted({o.draft.date.isoformat() for o in report.orders}),
        "order_ids": [o.id for o in imported.orders] if imported else [],
        "dry_run": dry_run,
    }


def _refused(error: FileRefused) -> JSONResponse:
    details = [
        {"field": f"rows[{p.row}].{p.field}", "message": p.problem} for p in error.report.problems
    ]
    body = {
        "error": {"code": "invalid_file", "message": error.message, "details": details},
        "report": report_body(error.report, dry_run=False),
    }
    return JSONResponse(body, status_code=422)


@router.post(
    "/orders/import",
    status_code=201,
    response_model=ImportReportOut,
    responses={200: {"model": ImportReportOut, "description": "The report of a dry run."}},
    description=(
        "Import the orders of a CSV or Excel (`.xlsx`) file, sent as multipart form field "
        "`file`. The first row names the columns:\n\n"
        f"{_COLUMNS_DOC}\n\n"
        "Every row is checked with the rules of `POST /api/v1/orders`. **The file is "
        "stored all or none**: with any problem, nothing is stored and the answer is "
        "`422` with `report.problems` naming each problem by spreadsheet row (1 is the "
        "header) and column, also as `error.details` fields `rows[ROW].COLUMN`. "
        "Without problems the orders are stored: `201` with the report and `order_ids`.\n\n"
        "`dry_run=true` only checks: `200` with the same report, storing nothing "
        "(`valid` says whether the file would be imported). The default is `false`: "
        "sending a file imports it, like `POST /api/v1/orders`.\n\n"
        f"Accepted: {ACCEPTED}, up to {MAX_FILE_BYTES // (1024 * 1024)} MB. "
        "An `Idempotency-Key` makes a retried import store the file once."
    ),
)
def import_orders(
    request: Request,
    services: ServicesDep,
    token: Importer,
    file: Annotated[UploadFile, File(description="The CSV or .xlsx file of orders.")],
    dry_run: Annotated[
        bool, Query(description="Only check the file and report; store nothing.")
    ] = False,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Check a file of orders row by row and store it all or none (or only check it)."""
    content = file.file.read(MAX_FILE_BYTES + 1)
    filename = (file.filename or "")[:255]
    content_type = file.content_type or ""
    if dry_run:
        with services.uow_factory() as uow:
            report = check_file(uow, filename, content, content_type)
        return JSONResponse(report_body(report, dry_run=True), status_code=200)
    command = commands.ImportOrderFile(
        filename=filename, content=content, content_type=content_type
    )
    fingerprint = {
        "filename": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
    try:
        return execute(
            services,
            token,
            command,
            lambda done: (201, report_body(done.report, dry_run=False, imported=done)),
            request=request,
            body=fingerprint,
            idempotency_key=key,
        )
    except FileRefused as error:
        return _refused(error)
