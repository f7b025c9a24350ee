"""Follow-up service functions (shared with the Today page): dates, quick choices, clear."""
import datetime

import pytest

from salon_web.models import AuditEvent, SalonCustomer
from salon_web.services import follow_ups
from salon_web.services.customer_edit import EditConflict


@pytest.mark.parametrize("choice, today, expected", [
    ("2w", datetime.date(2026, 12, 25), datetime.date(2027, 1, 8)),
    ("1m", datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
    ("1m", datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
    ("3m", datetime.date(2026, 11, 30), datetime.date(2027, 2, 28)),
    ("nope", datetime.date(2026, 1, 1), None),
])
def test_quick_choices(choice, today, expected):
    assert follow_ups.quick_choice_date(choice, today) == expected


def test_set_and_clear_without_version_for_one_tap_actions(world):
    user = world.users["employee"]
    customer = follow_ups.set_follow_up(world.customer, datetime.date(2027, 1, 1), user=user.id)
    assert customer.follow_up_on == datetime.date(2027, 1, 1)
    customer = follow_ups.clear_follow_up(customer, user=user.id)
    assert SalonCustomer.get_by_id(customer.id).follow_up_on is None
    details = [e.detail for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert details[0]["after"] == {"follow_up_on": "2027-01-01"} and details[1]["after"] == {"follow_up_on": None}


def test_stale_version_is_a_conflict(world):
    follow_ups.set_follow_up(world.customer, datetime.date(2027, 1, 1))
    with pytest.raises(EditConflict) as conflict:
        follow_ups.set_follow_up(world.customer, datetime.date(2027, 2, 1), expected_version=world.customer.version)
    assert conflict.value.current.follow_up_on == datetime.date(2027, 1, 1)


def test_concurrent_update_between_read_and_write_is_caught_by_the_atomic_update(world):
    """Both read version 1; the first UPDATE wins, the second matches no row and is refused."""
    first_view = SalonCustomer.get_by_id(world.customer.id)
    second_view = SalonCustomer.get_by_id(world.customer.id)
    follow_ups.set_follow_up(first_view, datetime.date(2027, 1, 1), expected_version=1)
    # second_view still believes version 1: the in-memory check passes, the WHERE version = 1 does not.
    with pytest.raises(EditConflict):
        follow_ups.set_follow_up(second_view, datetime.date(2027, 3, 1), expected_version=1)
    assert SalonCustomer.get_by_id(world.customer.id).follow_up_on == datetime.date(2027, 1, 1)


@pytest.mark.parametrize("form, error", [({}, "Pick a date"), ({"follow_up_on": "2020-01-01"}, "from today"),
                                         ({"follow_up_on": "2999-01-01"}, "three years")])
def test_parse_follow_up_errors(form, error):
    day, errors = follow_ups.parse_follow_up(form, datetime.date(2026, 6, 1))
    assert day is None and error in errors["follow_up_on"]
