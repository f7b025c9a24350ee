"""Importing a client book through the API: the file travels base64-encoded inside JSON.

JSON rather than multipart so the request is validated by the same pydantic schema that documents it
in OpenAPI. Dry run by default; `commit: true` stores the import and starts a job that dry-runs then applies it (status "planning", "running",
or "done" when it already ran), after which
`GET .../imports/{importId}` reports its progress and counts.
"""
import base64
import binascii
from typing import Literal

from flask import current_app, request
from pydantic import Field

from salon_web import jobs
from salon_web.api import bp
from salon_web.api.framework import Schema, operation
from salon_web.api.problems import ApiProblem
from salon_web.models import CustomerImport, NotInSalon
from salon_web.security import client_ip
from salon_web.services import audit
from salon_web.services import customer_import as imports
from salon_web.services.clock import local_today
from salon_web.services.field_errors import FieldErrors
from salon_web.services.import_files import read_table
from salon_web.services.import_mapping import FIELDS
from salon_web.tenancy import MANAGERS
from salon_web.texts import _l

Field_ = Literal["", "full_name", "first_name", "last_name", "phone", "email", "birthday", "tags", "notes",
                 "marketing_consent", "visit_date", "visit_amount"]
assert set(Field_.__args__) - {""} == set(FIELDS)


class ImportRequest(Schema):
    file_name: str = Field(min_length=1, max_length=255, description="Its extension picks the reader: .csv, .xlsx, .vcf")
    content: str = Field(min_length=1, description="The file's bytes, base64-encoded (at most IMPORT_MAX_BYTES once decoded)")
    mapping: dict[str, Field_] = Field(default_factory=dict, max_length=200,
                                       description="Column name -> field (\"\" ignores it); other columns keep the suggestion")
    commit: bool = Field(False, description="false: dry run only, nothing written; true: import it (in the background)")


class ImportRow(Schema):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1")
    action: Literal["create", "update", "unchanged", "skip", "error"]
    reason: str


class ImportCounts(Schema):
    create: int = 0
    update: int = 0
    unchanged: int = 0
    skip: int = 0
    error: int = 0


class ImportResult(Schema):
    import_id: int | None = Field(None, description="Set when committed")
    status: str = Field(description="dry_run, or the import's status: queued, running, done, failed, undone")
    headers: list[str]
    mapping: list[str] = Field(description="The field of each column, in order (\"\" = ignored)")
    counts: ImportCounts
    total_rows: int
    processed_rows: int = 0
    rows: list[ImportRow] = Field(description="Rows that are not plain creates (up to 500), in file order")


@bp.url_value_preprocessor
def _allow_larger_import(endpoint, values):
    """The import's body may be larger than other requests (base64 adds a third)."""
    if endpoint == "api.import_customers":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] * 4 // 3 + 4096


@operation(bp, "POST", "/salons/<int:salon_id>/imports", summary="Import a client book (dry run by default)",
           body=ImportRequest, response=ImportResult, status=200, roles=MANAGERS, tag="imports")
def import_customers(user, salon, body):
    """Read a CSV, XLSX or vCard file, map its columns and show what each row would do; `commit` imports it."""
    try:
        data = base64.b64decode(body.content, validate=True)
    except (binascii.Error, ValueError):
        raise ApiProblem(422, _l("`content` is not base64."), errors=[{"field": "content", "in": "body",
                                                                     "message": _l("not base64")}]) from None
    if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
        raise ApiProblem(413, _l("The file is larger than %(limit)s MB.",
                                 limit=current_app.config["IMPORT_MAX_BYTES"] // 1048576))
    try:
        table = read_table(data, body.file_name)
        mapping = imports.mapping_with(salon, table.headers, body.mapping)
    except FieldErrors as error:
        raise ApiProblem(422, error.errors["file"], errors=[{"field": "content", "in": "body",
                                                            "message": error.errors["file"]}]) from None
    except ValueError as error:
        raise ApiProblem(422, str(error), errors=[{"field": "mapping", "in": "body", "message": str(error)}]) from None
    today = local_today(salon.timezone)
    if not body.commit:
        counts, outcomes = imports.plan_table(salon, table, mapping, today=today)
        return ImportResult(status="dry_run", headers=table.headers, mapping=mapping, counts=ImportCounts(**counts),
                            total_rows=len(table.rows), rows=_rows(outcomes))
    # Stored at once; the dry run and the import itself run as one background job (large files never block here).
    customer_import = imports.start_import(salon, table, body.file_name, user=user.id)
    imports.start_dry_run(customer_import, salon, mapping)
    audit.record("customer_import.requested", salon=salon, user=user, object_type="customer_import",
                 object_id=customer_import.id, ip=client_ip(request), detail={"file": customer_import.file_name})
    jobs.dry_run_customer_import(salon.id, customer_import.id, then_apply=True, user_id=user.id)
    return _result(salon, CustomerImport.get_in_salon(salon, customer_import.id))


@operation(bp, "GET", "/salons/<int:salon_id>/imports/<int:import_id>", summary="An import's progress and counts",
           response=ImportResult, roles=MANAGERS, tag="imports")
def get_import(user, salon, import_id):
    """The import's status, progress and counts, with its rows that are not plain creates."""
    try:
        customer_import = CustomerImport.get_in_salon(salon, import_id)
    except NotInSalon:
        raise ApiProblem(404) from None
    return _result(salon, customer_import)


def _rows(outcomes):
    shown = [o for o in outcomes if o.action != "create"][:500]
    return [ImportRow(row=o.row_number, action=o.action, reason=o.reason) for o in shown]


def _result(salon, customer_import):
    rows = [r for r in imports.preview_rows(salon, customer_import, actions=("update", "unchanged", "skip", "error"),
                                             limit=500)]
    return ImportResult(import_id=customer_import.id, status=customer_import.status, headers=customer_import.headers,
                        mapping=customer_import.mapping, counts=ImportCounts(**(customer_import.counts or {})),
                        total_rows=customer_import.total_rows, processed_rows=customer_import.processed_rows,
                        rows=[ImportRow(row=r.row_number, action=r.action, reason=r.reason) for r in rows])
