"""GET and HEAD never write: every rule of the url_map, as every role, with a form body and its CSRF token."""
import re

import pytest

from salon_web.models import ALL_MODELS, ApiRateWindow, ApiToken, AuditEvent
from tests.api_helpers import Api

# Writes DESIGN.md allows on a read: an export's audit row, a refused access, API-token bookkeeping.
READ_AUDITS = {"customer.export", "access.denied", "customer.data_export", "salon.export"}
IGNORED_COLUMNS = {ApiToken: {"last_used_at"}}
IGNORED_TABLES = {ApiRateWindow}

# A body that would pass the create forms (customer, sale, appointment, segment, token, login).
FORM_BODY = {
    "full_name": "Hedda Head", "phone": "0788 555 010", "email": "owner@example.com", "password": "correct-horse-battery",
    "name": "Head segment", "query": "q=x", "total": "5000", "description": "Cut", "quantity": "1", "unit_price": "5000",
    "service_name": "Cut", "price": "5000", "scheduled_at": "2030-01-01T10:00", "status": "completed",
    "type": "phone", "purpose": "other", "message": "hello", "tag": "VIP", "notes": "changed by HEAD",
}


def _snapshot():
    """Every row of every table, minus the bookkeeping a read may write."""
    tables = {}
    for model in ALL_MODELS:
        if model in IGNORED_TABLES:
            continue
        fields = [f for f in model._meta.sorted_fields if f.name not in IGNORED_COLUMNS.get(model, ())]
        query = model.select(*fields)
        if model is AuditEvent:
            query = query.where(AuditEvent.action.not_in(READ_AUDITS))
        tables[model._meta.table_name] = sorted(map(repr, query.tuples()))
    return tables


def _url(rule, world):
    values = {"salon_id": world.salon.id, "customer_id": world.customer.id, "filename": "app.css", "widget": "notes"}
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule.rule)


@pytest.mark.parametrize("method", ["HEAD", "GET"])
@pytest.mark.parametrize("role", [None, "employee", "owner", "admin"])
def test_safe_methods_never_write(app, client, world, login_as, role, method):
    api_headers = {}
    if role:
        login_as(role)
        api_headers = {"Authorization": f"Bearer {Api(app, world.users[role]).secret}"}
    before = _snapshot()
    for rule in app.url_map.iter_rules():
        url = _url(rule, world)
        headers = {"X-CSRFToken": client.csrf_token or "", **(api_headers if url.startswith("/api/") else {})}
        response = client.open(url, method=method, data=FORM_BODY, headers=headers)
        response.close()  # a static file is streamed from an open file
        assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
        after = _snapshot()
        changed = [table for table in after if after[table] != before[table]]
        assert not changed, f"{method} {url} as {role} wrote to {changed}"
