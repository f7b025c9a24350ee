"""schemathesis drives every API operation from the OpenAPI document: no 5xx, every response conforms.

Positive and negative data, authenticated as the demo owner; ids in paths are mostly pointed at
real objects of the owner's salon so generated cases reach the handlers, not only the 404 path.
(schemathesis' own pytest plugin does not run under pytest 9, so Hypothesis drives its strategies.)
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config._checks import PositiveDataAcceptanceConfig

from salon_web import create_app
from salon_web.api.openapi import build_document
from salon_web.models import Appointment, CustomerCommunication, SalonCustomer, User
from salon_web.services.api_tokens import create_token
from salon_web.sample_data.demo import seed_demo

pytestmark = pytest.mark.once_on_postgres
EXAMPLES = 25


def _labels():
    with create_app({"DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "x"}).app_context():
        document = build_document()
    return [f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods]


LABELS = _labels()  # at collection: building an app binds the database, so never inside a test


@pytest.fixture
def owner_context(app):
    app.config["API_RATE_LIMIT"] = 1_000_000
    seed_demo("demo-password-123", customers_per_salon=8)
    owner = User.get(User.email == "owner@example.com")
    salon = owner.memberships[0].salon
    _, secret = create_token(owner, "schemathesis")
    customers = [c.id for c in SalonCustomer.select(SalonCustomer.id).where(SalonCustomer.salon == salon).limit(5)]
    for customer_id in customers[:3]:  # the demo records no messages: give the status operation some to move
        CustomerCommunication.create(salon=salon, customer=customer_id, type="phone", purpose="follow_up",
                                     status="pending", recipient="")
    appointments = [a.id for a in Appointment.select(Appointment.id).where(Appointment.salon == salon).limit(5)]
    communications = list(CustomerCommunication.select(CustomerCommunication.customer, CustomerCommunication.id)
                          .where(CustomerCommunication.salon == salon).limit(5).tuples())
    return {"token": secret, "salon_id": salon.id, "customer_ids": customers, "appointment_ids": appointments,
            "communications": communications}


def _valid_id(value):
    """Only schema-valid ids are redirected: a negative case's bad id must stay bad."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**31 - 1


def _aim_at_real_objects(case, context):
    """Point most generated ids at the owner's salon and objects; keep some random ones for the 404 path.

    Only ids that were valid as generated are replaced: a negative case's bad id must stay bad.
    """
    path = case.path_parameters or {}
    valid = {name: _valid_id(value) and value % 4 != 0 for name, value in path.items()}
    if valid.get("salon_id"):
        path["salon_id"] = context["salon_id"]
    if valid.get("customer_id"):
        path["customer_id"] = context["customer_ids"][path["customer_id"] % len(context["customer_ids"])]
    if valid.get("appointment_id") and context["appointment_ids"]:
        path["appointment_id"] = context["appointment_ids"][path["appointment_id"] % len(context["appointment_ids"])]
    if valid.get("communication_id") and _valid_id(path.get("customer_id")) and context["communications"]:
        pair = context["communications"][path["communication_id"] % len(context["communications"])]
        path["customer_id"], path["communication_id"] = pair


# Schema-valid data may still break a salon rule the schema cannot express (an unknown tag, a
# birthday in the future, consent refused, a stale version): 409 or 422 from a service. What
# must never happen is the framework's own validation refusing data its document allows.
RULE_STATUSES = ["2xx", "401", "403", "404", "409", "422"]


def _schema_agrees_with_validation(ctx, response, case):
    """A positive case is never refused by the request schemas that produced the document."""
    if case.meta and str(case.meta.generation.mode).lower().endswith("positive") and response.status_code == 422:
        detail = response.json().get("detail", "")
        assert not detail.startswith(("Some query values", "Some body values")), detail


def _check(operation, mode, label, cases, context, headers):
    """A Hypothesis test of one operation: aim ids at real objects, call, validate; count the cases."""

    # derandomize: the same cases on every run, so CI never fails by chance on a case nobody saw locally
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        cases[label] += 1
        _aim_at_real_objects(case, context)
        case.call_and_validate(headers=headers, additional_checks=[_schema_agrees_with_validation])

    return check


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_api_operation_conforms_to_its_document(app, owner_context, mode):
    """Every operation in turn on one seeded database (seeding per operation cost most of the time)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=RULE_STATUSES)
    headers = {"Authorization": f"Bearer {owner_context['token']}"}
    failures, cases = {}, {}
    labels = LABELS
    for label in labels:
        cases[label] = 0
        try:
            _check(schema.find_operation_by_label(label), mode, label, cases, owner_context, headers)()
        except Exception as error:  # collect every operation's failure, not only the first
            failures[label] = error
    print(f"schemathesis {mode}: {len(labels)} operations, {sum(cases.values())} cases, {len(failures)} failing")
    assert not failures, "\n\n".join(f"{label}:\n{error}" for label, error in failures.items())
