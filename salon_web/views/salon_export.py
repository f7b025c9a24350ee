"""The everything export: the salon's whole data as one streamed ZIP (owners and admins)."""
from flask import Blueprint, Response, request
from flask_login import current_user

from salon_web.security import client_ip
from salon_web.services import salon_export
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.views.customers import _own_connection

bp = Blueprint("salon_export", __name__)


@bp.route("/salons/<int:salon_id>/export/everything")
@salon_view(*MANAGERS)
def everything(salon):
    """Stream the ZIP of every file (audited when it ends)."""
    chunks = salon_export.stream_everything(salon, user=current_user.id, ip=client_ip(request))
    response = Response(_own_connection(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{salon_export.file_name(salon)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
