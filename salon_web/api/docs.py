"""The OpenAPI document and a readable reference page, both public."""
from flask import jsonify, render_template

from salon_web.api import bp
from salon_web.api.openapi import build_document


@bp.route("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document, generated from the operations' schemas."""
    return jsonify(build_document())


@bp.route("/docs")
def reference():
    """A readable API reference rendered on the server from the same document."""
    return render_template("api/docs.html", spec=build_document())
