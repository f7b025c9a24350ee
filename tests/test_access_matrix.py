"""Every route answers each role as expected; a new route without an expectation fails here."""
import pytest

from tests.access import ROLES, all_modules, all_routes

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_every_route_has_an_expectation(app):
    declared = {(r.endpoint, r.method) for r in all_routes()}
    missing = sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
        if (rule.endpoint, method) not in declared
    )
    assert not missing, f"add these routes to tests/access/: {missing}"


def _placeholders(world):
    values = {
        "salon": world.salon.id,
        "other_salon": world.other_salon.id,
        "customer": world.customer.id,
        "other_customer": world.other_customer.id,
    }
    for module in all_modules():
        prepare = getattr(module, "prepare", None)
        if prepare:
            values.update(prepare(world))
    return values


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role(client, world, login_as, role):
    if role != "anonymous":
        login_as(role)
    values = _placeholders(world)
    wrong = []
    for route in all_routes():
        path = route.path.format(**values)
        response = client.open(path, method=route.method, data=route.data)
        if response.status_code != route.expected(role):
            wrong.append(f"{route.method} {path}: {response.status_code}, expected {route.expected(role)}")
        if route.endpoint == "auth.logout":  # logging out is part of the walk: carry on as the same role
            login_as(role) if role != "anonymous" else client.refresh_csrf_token()
    assert not wrong, "\n".join(wrong)
