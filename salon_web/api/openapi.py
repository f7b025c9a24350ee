"""The OpenAPI 3.1 document, generated from the operations' own schemas."""
from pydantic.json_schema import models_json_schema

from salon_web.api.framework import MAX_ID, OPERATIONS
from salon_web.api.schemas import Problem

ERROR_STATUSES = {
    400: "The body is not valid JSON",
    409: "Conflict: a stale version or a possible duplicate",
    415: "The body is not application/json",
    401: "Missing, unknown or revoked token",
    403: "The token's role in this salon does not allow this",
    404: "No such object in a salon the token may enter",
    422: "Invalid parameters or body (field errors listed)",
    429: "Rate limit reached; see Retry-After",
}


def build_document(version="1.0.0"):
    """Return the OpenAPI 3.1 document as a dict."""
    models = {Problem}
    for op in OPERATIONS:
        models.update(m for m in (op.response, op.body) if m is not None)
    keyed = [(model, "validation" if _is_input(model) else "serialization") for model in models]
    refs, definitions = models_json_schema(keyed, by_alias=True, ref_template="#/components/schemas/{model}")
    paths = {}
    for op in OPERATIONS:
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "salon_web API",
            "version": version,
            "description": "Customer management for salons. Authenticate with a personal token from your profile page: "
                           "`Authorization: Bearer <token>`. Errors are RFC 9457 problem documents. POST requests "
                           "accept an `Idempotency-Key` header.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _is_input(model):
    return any(op.body is model for op in OPERATIONS)


def _operation(op, refs):
    mode = "validation" if _is_input(op.response) else "serialization"
    document = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _path_parameters(op) + _query_parameters(op),
        "responses": _responses(op, refs, mode),
    }
    if op.description:
        document["description"] = op.description
    if op.authenticated:
        document["security"] = [{"bearerAuth": []}]
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.method == "POST" and op.authenticated:
        document["parameters"].append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "schema": {"type": "string"},
            "description": "At most 255 characters (64 for sales). A retry with the same key and body returns the first response without repeating the work (a concurrent retry waits for the first to finish); keys are per user.",
        })
    return document


def _path_parameters(op):
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
        for name in op.path_params
    ]


def _query_parameters(op):
    if op.query is None:
        return []
    schema = op.query.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    parameters = []
    for name, property_schema in schema.get("properties", {}).items():
        parameter = {"name": name, "in": "query", "required": name in required, "schema": property_schema}
        if property_schema.get("type") == "array" or "array" in str(property_schema.get("anyOf", "")):
            parameter["explode"] = True
        if "description" in property_schema:
            parameter["description"] = property_schema["description"]
        parameters.append(parameter)
    return parameters


def _responses(op, refs, mode):
    problem = {"application/problem+json": {"schema": refs[(Problem, "serialization")]}}
    responses = {}
    if op.response is None and op.produces == "application/json":
        responses[str(op.status)] = {"description": "Done; no content"}
    elif op.produces == "application/json":
        responses[str(op.status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": refs[(op.response, mode)]}},
        }
    else:
        responses[str(op.status)] = {"description": "Success", "content": {op.produces: {"schema": {"type": "string"}}}}
    if op.authenticated:
        statuses = [401, 429] + ([403, 404] if op.path_params else []) + ([422] if op.query or op.body else [])
        if op.method == "POST":
            statuses += [409, 422]
        if op.body:
            statuses += [400, 415]
        if op.method == "PATCH":
            statuses.append(409)
        for status in sorted(set(statuses)):
            responses[str(status)] = {"description": ERROR_STATUSES[status], "content": problem}
    return responses
