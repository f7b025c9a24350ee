"""RFC 9457 problem details: every API error is application/problem+json."""
from flask import jsonify
from pydantic.alias_generators import to_camel

from salon_web.texts import _l

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Unprocessable content"),
    429: _l("Too many requests"),
    500: _l("Internal server error"),
    503: _l("Service unavailable"),
}


class ApiProblem(Exception):
    """Raised anywhere in an API view to answer with a problem document."""

    def __init__(self, status, detail=None, *, errors=None, headers=None):
        super().__init__(str(detail or TITLES.get(status, "Error")))
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(status, detail=None, *, errors=None, headers=None):
    """Return a Flask response carrying a problem document."""
    body = {"type": "about:blank", "title": str(TITLES.get(status, _l("Error"))), "status": status}
    if detail:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="salon_web"'
    return response


def field_errors(validation_error, location):
    """Turn a pydantic ValidationError into [{"field", "message"}] entries."""
    return [
        {"field": ".".join(str(part) for part in error["loc"]) or location, "in": location, "message": error["msg"]}
        for error in validation_error.errors(include_url=False)
    ]


def service_errors(errors, location, detail="The salon's rules refuse these values."):
    """A 422 ApiProblem from a service's {field: message} errors, field names in camelCase."""
    return ApiProblem(422, detail, errors=[{"field": ".".join(to_camel(part) for part in name.split(".")),
                                            "in": location, "message": message}
                                           for name, message in errors.items()])
