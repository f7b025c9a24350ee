"""How an API operation is declared once and then authenticated, validated, shaped and documented.

`@operation(...)` registers the Flask route and records the schemas that both validate the
request and shape the response; `openapi.py` builds the OpenAPI document from the same record.
"""
import dataclasses
import datetime
import json
import re
import typing
from typing import Annotated
from functools import wraps

from flask import Response, current_app, g, request
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from salon_web.api.problems import PROBLEM_TYPE, ApiProblem, field_errors, problem_response
from salon_web.db import db
from salon_web.ids import MAX_ID
from salon_web.security import client_ip
from salon_web.services import audit, idempotency, rate_limit
from salon_web.services.api_tokens import user_for_token
from salon_web.services.salons import enter_salon as enter
from salon_web.tenancy import STAFF

OPERATIONS = []
# No request body nests deeper than a few levels; the validators below walk bodies recursively.
MAX_JSON_DEPTH = 32


@dataclasses.dataclass
class Operation:
    method: str
    rule: str
    name: str
    summary: str
    description: str
    tag: str
    response: type | None
    status: int
    query: type | None
    body: type | None
    roles: tuple
    authenticated: bool
    produces: str

    @property
    def openapi_path(self):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_params(self):
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)


def operation(bp, method, rule, *, summary, response=None, status=200, query=None, body=None,
              roles=STAFF, tag="customers", authenticated=True, produces="application/json"):
    """Declare an API operation: route, access, request schemas, response schema."""

    def decorator(function):
        record = Operation(method, (bp.url_prefix or "") + rule, function.__name__, summary, (function.__doc__ or "").strip(), tag,
                           response, status, query, body, tuple(roles), authenticated, produces)
        OPERATIONS.append(record)

        @wraps(function)
        def view(**path):
            try:
                return _run(record, function, path)
            except ApiProblem as problem:
                return problem_response(problem.status, problem.detail, errors=problem.errors, headers=problem.headers)

        bp.add_url_rule(rule, endpoint=function.__name__, view_func=view, methods=[method])
        return function

    return decorator


def _run(record, function, path):
    kwargs = {}
    if record.authenticated:
        g.api_user, g.api_token = authenticate()
        enforce_rate_limit(g.api_token)
        kwargs["user"] = g.api_user
    if "salon_id" in path:
        kwargs["salon"] = enter_salon(g.api_user, path.pop("salon_id"), record.roles)
    for name, value in path.items():
        if value > MAX_ID:
            raise ApiProblem(404)
        kwargs[name] = value
    if record.query:
        kwargs["query"] = parse(record.query, _query_values(record.query), "query")
    if record.body:
        kwargs["body"] = parse(record.body, _json_body(), "body", strict=True)
    if record.method == "POST" and request.headers.get("Idempotency-Key"):
        return _idempotent(record, function, kwargs)
    return _respond(record, function(**kwargs))


def authenticate():
    """Return (user, token) for the bearer token; the session cookie is never accepted here."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "Send a personal API token as 'Authorization: Bearer <token>'.")
    user, token = user_for_token(secret.strip())
    if user is None:
        raise ApiProblem(401, "That token is unknown, revoked, or its account is inactive.")
    return user, token


def enforce_rate_limit(token):
    config = current_app.config
    allowed, retry_after = rate_limit.hit(
        token, limit=config["API_RATE_LIMIT"], window_seconds=config["API_RATE_WINDOW"]
    )
    if not allowed:
        raise ApiProblem(429, "Rate limit reached for this token.", headers={"Retry-After": str(retry_after)})


def enter_salon(user, salon_id, roles):
    """The salon if the token's user may act in it with one of `roles`: 404 and 403 as on the HTML side."""
    salon, role = enter(user, salon_id) or (None, None)
    if role is None or role not in roles:
        status = 404 if role is None else 403
        audit.record("access.denied", salon=salon_id if role else None, user=user, ip=client_ip(request),
                     detail={"path": request.path, "method": request.method, "api": True, "reason": f"role {role}"})
        raise ApiProblem(status, "Your role in this salon does not allow this." if status == 403 else None)
    g.role = role
    return salon


def parse(model, values, location, *, strict=False):
    """Validate input against its schema; 422 with one entry per bad field.

    A JSON body is validated strictly (as JSON: `true` or "5" is no integer, dates are ISO strings);
    query values are text, so they are converted.
    """
    nul = _nul_field(values)
    if nul is not None:
        raise ApiProblem(422, "Text may not contain NUL characters.",
                         errors=[{"field": nul or location, "in": location, "message": "NUL characters are not allowed"}])
    try:
        if strict:
            return model.model_validate_json(json.dumps(_integral(values)), strict=True)
        return model.model_validate(values)
    except ValidationError as error:
        raise ApiProblem(422, f"Some {location} values are invalid.", errors=field_errors(error, location))


def _integral(value):
    """JSON Schema counts 2.0 as an integer: turn integral floats into ints before strict validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


def _nul_field(value, path=""):
    """The path of the first text holding a NUL character (PostgreSQL refuses them), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or str(key)
        found = _nul_field(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _query_values(model):
    known = {field.alias or name for name, field in model.model_fields.items()}
    unknown = [key for key in request.args if key not in known]
    if unknown:
        raise ApiProblem(422, "Unknown query parameters.", errors=[
            {"field": key[:100], "in": "query", "message": "not a parameter of this operation"} for key in unknown[:10]])
    values = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in request.args:
            continue
        is_list = typing.get_origin(field.annotation) is list or any(
            a is list or typing.get_origin(a) is list for a in typing.get_args(field.annotation))
        values[key] = request.args.getlist(key) if is_list else request.args.get(key)
    return values


def _json_body():
    if not request.data:
        return {}
    if not request.is_json:
        raise ApiProblem(415, "Send the body as application/json.")
    try:
        body = json.loads(request.data)
        too_deep = _deeper_than(body, MAX_JSON_DEPTH)
    except ValueError:
        raise ApiProblem(400, "The body is not valid JSON.")
    except RecursionError:  # the parser itself gives up on nesting thousands deep
        too_deep = True
    if too_deep:
        raise ApiProblem(400, f"The body is nested too deeply: at most {MAX_JSON_DEPTH} levels of arrays and objects.")
    return body


def _deeper_than(value, limit):
    """True when arrays and objects nest more than `limit` levels (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _respond(record, result):
    if isinstance(result, Response):
        return result
    status = record.status
    if isinstance(result, tuple):
        result, status = result
    if record.response is None:
        return Response(status=204)
    shaped = record.response.model_validate(result, from_attributes=True)
    response = current_app.response_class(
        shaped.model_dump_json(by_alias=True), status=status, mimetype="application/json"
    )
    return response


def _idempotent(record, function, kwargs):
    """Run a POST once per (user, key): claim, effect and recorded answer commit together, or not at all."""
    user, key = g.api_user, request.headers["Idempotency-Key"]
    if len(key) > 255 or "\x00" in key:
        raise ApiProblem(422, "Idempotency-Key is at most 255 characters.", errors=[{"field": "Idempotency-Key", "in": "header", "message": "too long"}])
    fingerprint = idempotency.request_hash(request.method, request.full_path, request.get_data())
    with db.atomic() as transaction:
        try:
            replay = idempotency.claim(user, key, fingerprint)
        except idempotency.KeyReusedWithOtherRequest:
            raise ApiProblem(422, "This Idempotency-Key was already used with a different request.",
                             errors=[{"field": "Idempotency-Key", "in": "header", "message": "reused with another body"}])
        if replay is not None:
            status, body = replay
            mimetype = PROBLEM_TYPE if status >= 400 else "application/json"
            response = current_app.response_class(body, status=status, mimetype=mimetype)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            with db.atomic():  # a refused request leaves no half-written effect behind its recorded answer
                response = _respond(record, function(**kwargs))
        except ApiProblem as problem:
            response = problem_response(problem.status, problem.detail, errors=problem.errors)
        if response.status_code >= 500:
            transaction.rollback()  # not an answer to keep: the key stays free for a retry
            return response
        idempotency.remember(user, key, response.status_code, response.get_data(as_text=True))
    return response


class Schema(BaseModel):
    """Base of API schemas: camelCase on the wire, unknown input fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True)


def _as_utc(moment):
    """Naive datetimes are UTC in this system; say so on the wire (RFC 3339 needs an offset)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    try:
        return moment.astimezone(datetime.timezone.utc)
    except OverflowError:
        raise ValueError("date and time out of range") from None


UtcDateTime = Annotated[datetime.datetime, AfterValidator(_as_utc)]
