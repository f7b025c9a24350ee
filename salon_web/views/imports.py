"""Importing a client book (managers): upload, map columns, dry run, confirm, watch progress, rejected rows, undo."""
from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from salon_web import htmx, jobs
from salon_web.errors import render_error
from salon_web.i18n import current_language
from salon_web.models import CustomerImport
from salon_web.models.imports import DONE, FAILED, PLANNING, QUEUED, RUNNING
from salon_web.security import client_ip
from salon_web.services import customer_import as imports, formats
from salon_web.services.field_errors import FieldErrors
from salon_web.services.import_files import read_table
from salon_web.services.import_mapping import FIELDS
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.views.customers import csv_response
from salon_web.web_forms.imports import mapping_from, uploaded_file

bp = Blueprint("imports", __name__)


@bp.url_value_preprocessor
def allow_larger_upload(endpoint, values):
    """The upload may be larger than other forms; set before CSRF reads the body (url preprocessors run first)."""
    if endpoint == "imports.upload" and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@bp.errorhandler(413)
def too_large(error):
    """An upload over the limit (refused before the salon is entered): an error page saying what the limit is."""
    limit = current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)
    return render_error(413, _("The file is larger than %(limit)s MB. Split it, or save it as CSV, and try again.",
                               limit=limit))


@bp.route("/salons/<int:salon_id>/imports")
@salon_view(*MANAGERS)
def import_list(salon):
    """The upload form and the salon's latest imports."""
    return render_template("imports/list.html", salon=salon, imports=imports.imports_for(salon),
                           status_labels=imports.STATUS_LABELS, errors={})


@bp.route("/salons/<int:salon_id>/imports", methods=["POST"])
@salon_view(*MANAGERS)
def upload(salon):
    """Read the uploaded file and store it as a new import; on to its column mapping."""
    file_name, data = uploaded_file(request.files)
    try:
        if data is None:
            raise FieldErrors({"file": _("Choose a CSV, Excel (.xlsx) or vCard (.vcf) file.")})
        table = read_table(data, file_name)
    except FieldErrors as error:
        return render_template("imports/list.html", salon=salon, salon_id=salon.id,
                               imports=imports.imports_for(salon), status_labels=imports.STATUS_LABELS,
                               errors=error.errors), 422
    customer_import = imports.start_import(salon, table, file_name, user=current_user.id)
    return htmx.redirect_to(url_for("imports.show", salon_id=salon.id, import_id=customer_import.id))


@bp.route("/salons/<int:salon_id>/imports/<int:import_id>")
@salon_view(*MANAGERS)
def show(salon, import_id):
    """One import: its mapping and dry run, or its progress (the status block alone for htmx polling)."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    return _render(salon, customer_import)


@bp.route("/salons/<int:salon_id>/imports/<int:import_id>/preview", methods=["POST"])
@salon_view(*MANAGERS)
def preview(salon, import_id):
    """Dry run with the chosen mapping (remembered for the salon) as a background job: each row's action, no card written."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    mapping, errors = mapping_from(request.form, customer_import.headers)
    if errors:
        customer_import.mapping = mapping
        return _render(salon, customer_import, errors=errors, status=422)
    if not imports.start_dry_run(customer_import, salon, mapping):
        return _render(salon, customer_import, errors={"mapping": _("This import has already run.")}, status=409)
    jobs.dry_run_customer_import(salon.id, import_id)
    return htmx.redirect_to(url_for("imports.show", salon_id=salon.id, import_id=import_id))


@bp.route("/salons/<int:salon_id>/imports/<int:import_id>/apply", methods=["POST"])
@salon_view(*MANAGERS)
def apply(salon, import_id):
    """Confirm the dry run: queue the import as a background job and show its progress."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    if not imports.queue(customer_import, salon, user=current_user.id, ip=client_ip(request)):
        return _render(salon, customer_import, errors={"mapping": _("Run the dry run first (or it already ran).")},
                       status=409)
    jobs.apply_customer_import(salon.id, import_id)
    return htmx.redirect_to(url_for("imports.show", salon_id=salon.id, import_id=import_id))


@bp.route("/salons/<int:salon_id>/imports/<int:import_id>/rejected.csv")
@salon_view(*MANAGERS)
def rejected(salon, import_id):
    """The rows refused or skipped, with the reason, as CSV (cells guarded against formulas)."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    return csv_response(imports.rejected_csv(salon, customer_import, current_language()),
                        f"import-{import_id}-rejected-rows.csv")


@bp.route("/salons/<int:salon_id>/imports/<int:import_id>/undo", methods=["POST"])
@salon_view(*MANAGERS)
def undo(salon, import_id):
    """Undo the whole import (within 7 days): created cards removed, changed fields restored, edited cards kept."""
    customer_import = CustomerImport.get_in_salon(salon, import_id)
    try:
        report = imports.undo_import(salon, customer_import, user=current_user.id, ip=client_ip(request))
    except ValueError as error:
        return _render(salon, customer_import, errors={"undo": str(error)}, status=409)
    kept = len(report["kept"])
    language = current_language()
    numbers = {"removed": formats.number(report["removed"], language),
               "restored": formats.number(report["restored"], language), "kept": formats.number(kept, language)}
    if kept:
        flash(_("Import undone: %(removed)s cards removed, %(restored)s restored, %(kept)s kept because they were "
                "edited since.", **numbers), "success")
    else:
        flash(_("Import undone: %(removed)s cards removed, %(restored)s restored.", **numbers), "success")
    return htmx.redirect_to(url_for("imports.show", salon_id=salon.id, import_id=import_id))


def _render(salon, customer_import, errors=None, status=200):
    """The import page, or its status block when htmx polls it."""
    running = customer_import.status in (PLANNING, QUEUED, RUNNING)
    rows = [] if running else imports.preview_rows(salon, customer_import)
    return htmx.render(
        "imports/show.html", "status", target="import-status", status=status, salon=salon,
        customer_import=customer_import, fields=FIELDS, rows=rows, errors=errors or {}, running=running,
        finished=customer_import.status in (DONE, FAILED), can_undo=imports.can_undo(customer_import),
        status_label=imports.status_label(customer_import), action_labels=imports.ACTION_LABELS,
    )
