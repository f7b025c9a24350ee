"""The Today page: appointments, birthdays (29 February too), anniversaries, follow-ups, overdue customers."""
import datetime

import pytest
from markupsafe import escape

from salon_web.models import Appointment, AuditEvent, SalonCustomer, utcnow
from salon_web.services import reminders
from salon_web.services.clock import local_today, to_local, to_utc
from tests import factories
from tests.analytics_data import D, customer_with_visits

date = datetime.date


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


def _names(rows):
    return [row.customer.full_name for row in rows]


def test_birthdays_today_and_next_seven_days_with_29_february_on_28_february(salon):
    factories.make_customer(salon, "Leap Day", birthday=date(2000, 2, 29))
    factories.make_customer(salon, "Fourth March", birthday=date(1990, 3, 4))
    factories.make_customer(salon, "Fifth March", birthday=date(1990, 3, 5))  # 8 days ahead: not yet
    factories.make_customer(salon, "Yesterday", birthday=date(1985, 2, 24))
    factories.make_customer(salon, "Today", birthday=date(1995, 2, 25))
    factories.make_customer(salon, "No Birthday")
    rows, total = reminders.birthdays(salon, date(2027, 2, 25))  # 2027 is not a leap year
    assert total == 3
    assert [(row.customer.full_name, row.day, row.age) for row in rows] == [
        ("Today", date(2027, 2, 25), 32), ("Leap Day", date(2027, 2, 28), 27), ("Fourth March", date(2027, 3, 4), 37),
    ]


def test_29_february_birthdays_on_their_day_in_leap_years(salon):
    factories.make_customer(salon, "Leap Day", birthday=date(2000, 2, 29))
    factories.make_customer(salon, "Twenty-eighth", birthday=date(2001, 2, 28))
    rows, _ = reminders.birthdays(salon, date(2028, 2, 25))
    assert [(row.customer.full_name, row.day) for row in rows] == [
        ("Twenty-eighth", date(2028, 2, 28)), ("Leap Day", date(2028, 2, 29)),
    ]
    rows, _ = reminders.birthdays(salon, date(2027, 3, 1))  # 28 Feb has passed: not shown
    assert rows == []


def test_birthdays_across_new_year_soonest_first(salon):
    factories.make_customer(salon, "Second January", birthday=date(1990, 1, 2))
    factories.make_customer(salon, "Thirtieth December", birthday=date(1990, 12, 30))
    rows, _ = reminders.birthdays(salon, date(2026, 12, 28))
    assert [(row.customer.full_name, row.day) for row in rows] == [
        ("Thirtieth December", date(2026, 12, 30)), ("Second January", date(2027, 1, 2)),
    ]


def test_first_visit_anniversaries_use_the_local_day(salon):
    customer_with_visits(salon, "One Year", [(D(2025, 3, 15, 0, 30), 100)])  # 22:30 UTC on 14 March
    customer_with_visits(salon, "Three Years", [(D(2023, 3, 15, 18), 100), (D(2024, 1, 1, 10), 100)])
    customer_with_visits(salon, "Next Day", [(D(2025, 3, 16, 0, 30), 100)])  # 22:30 UTC on 15 March
    customer_with_visits(salon, "This Year", [(D(2026, 3, 15, 9), 100)])  # first visit today: no anniversary
    customer_with_visits(salon, "Next Week", [(D(2025, 3, 23, 9), 100)])  # 8 days ahead: outside the window
    rows, total = reminders.anniversaries(salon, date(2026, 3, 15))
    assert total == 3  # today and the next 7 days, like birthdays (issue 15)
    assert [(row.customer.full_name, row.years, row.day) for row in rows] == [
        ("Three Years", 3, date(2026, 3, 15)), ("One Year", 1, date(2026, 3, 15)), ("Next Day", 1, date(2026, 3, 16))]


def test_leap_day_first_visits_are_celebrated_on_28_february(salon):
    customer_with_visits(salon, "Leap Visit", [(D(2024, 2, 29, 11), 100)])
    assert _names(reminders.anniversaries(salon, date(2025, 2, 28))[0]) == ["Leap Visit"]
    assert _names(reminders.anniversaries(salon, date(2028, 2, 20))[0]) == []
    assert [row.day for row in reminders.anniversaries(salon, date(2028, 2, 28))[0]] == [date(2028, 2, 29)]
    assert _names(reminders.anniversaries(salon, date(2028, 2, 29))[0]) == ["Leap Visit"]


def test_follow_ups_due_today_or_overdue(salon):
    factories.make_customer(salon, "Due Today", follow_up_on=date(2026, 3, 15))
    factories.make_customer(salon, "Overdue", follow_up_on=date(2026, 3, 1))
    factories.make_customer(salon, "Tomorrow", follow_up_on=date(2026, 3, 16))
    factories.make_customer(salon, "None")
    customers, total = reminders.follow_ups_due(salon, date(2026, 3, 15))
    assert total == 2 and [c.full_name for c in customers] == ["Overdue", "Due Today"]


def test_what_today_is_depends_on_the_salon_zone(salon):
    paris = factories.make_salon("Atelier", "FR", "America/New_York", "USD")
    factories.make_customer(salon, "Kigali Call", follow_up_on=date(2026, 3, 15))
    factories.make_customer(paris, "New York Call", follow_up_on=date(2026, 3, 15))
    now = datetime.datetime(2026, 3, 14, 22, 30)  # 00:30 on 15 March in Kigali, 18:30 on 14 March in New York
    assert reminders.today_page(salon, now=now)["follow_ups"][1] == 1
    assert reminders.today_page(paris, now=now)["follow_ups"][1] == 0


def test_overdue_by_their_own_rhythm(salon):
    now = to_utc(D(2026, 3, 15, 12), salon.timezone)
    # Every 30 days, last came 60 days ago (> 45): overdue.
    customer_with_visits(salon, "Monthly Gone", [(D(2025, 11, 15, 12), 1), (D(2025, 12, 15, 12), 1), (D(2026, 1, 14, 12), 1)])
    # Every 30 days, last came 40 days ago (< 45): fine.
    customer_with_visits(salon, "Monthly Fine", [(D(2025, 12, 5, 12), 1), (D(2026, 1, 4, 12), 1), (D(2026, 2, 3, 12), 1)])
    # Two visits only: no rhythm yet.
    customer_with_visits(salon, "Two Visits", [(D(2025, 1, 1, 12), 1), (D(2025, 2, 1, 12), 1)])
    # Every 10 days, last came 20 days ago (> 15): overdue by 5 days past the mark, Monthly Gone by 15.
    customer_with_visits(salon, "Weekly-ish", [(D(2026, 2, 3, 12), 1), (D(2026, 2, 13, 12), 1), (D(2026, 2, 23, 12), 1)])
    customers, total = reminders.overdue_by_rhythm(salon, now)
    assert total == 2
    assert [c.full_name for c in customers] == ["Monthly Gone", "Weekly-ish"]
    assert float(customers[0].usual_days) == pytest.approx(30) and float(customers[0].days_away) == pytest.approx(60)


def test_exactly_one_and_a_half_intervals_is_not_overdue_yet(salon):
    customer_with_visits(salon, "On The Edge", [(D(2026, 1, 1, 12), 1), (D(2026, 1, 11, 12), 1), (D(2026, 1, 21, 12), 1)])
    edge = to_utc(D(2026, 2, 5, 12), salon.timezone)  # exactly 15 days after the last visit
    assert reminders.overdue_by_rhythm(salon, edge)[1] == 0
    assert reminders.overdue_by_rhythm(salon, edge + datetime.timedelta(hours=1))[1] == 1


def test_appointments_of_the_local_day(salon):
    customer = factories.make_customer(salon, "Booked")
    employee = factories.make_user(name="Sam Stylist", salon=salon)
    for moment, service in [(D(2026, 3, 15, 0, 15), "Early"), (D(2026, 3, 15, 17), "Late"),
                            (D(2026, 3, 14, 23, 45), "Yesterday"), (D(2026, 3, 16, 0, 5), "Tomorrow")]:
        Appointment.create(salon=salon, customer=customer, employee=employee, service_name=service,
                           scheduled_at=to_utc(moment, salon.timezone))
    appointments = reminders.appointments_today(salon, date(2026, 3, 15))
    assert [(a.service_name, a.full_name, a.employee_name) for a in appointments] == [("Early", "Booked", "Sam Stylist"), ("Late", "Booked", "Sam Stylist")]


# --- The page and its actions ---------------------------------------------------------------


def test_today_page_shows_each_list(client, world, login_as):
    login_as("employee")
    today = local_today(world.salon.timezone)
    factories.make_customer(world.salon, "Birthday Person", birthday=today.replace(year=1990) if (today.month, today.day) != (2, 29) else date(1992, 2, 29))
    factories.make_customer(world.salon, "Call Me", follow_up_on=today - datetime.timedelta(days=3))
    factories.make_customer(world.other_salon, "Not Ours", follow_up_on=today)
    page = client.get(f"/salons/{world.salon.id}/today").get_data(as_text=True)
    assert "Birthday Person" in page and "Call Me" in page and "overdue by 3 days" in page
    assert "Not Ours" not in page
    assert "style=" not in page and "<script>" not in page


def test_sentences_said_per_person_escape_each_name_in_the_request_language(client, world, login_as):
    """The page translates each per-person sentence once and fills it in per row: the same words and escaping as _()."""
    login_as("employee")
    today = local_today(world.salon.timezone)
    born = date(1992, 2, 29) if (today.month, today.day) == (2, 29) else today.replace(year=1990)
    name = '<b>Amy & "Jo"</b>'
    local_now = to_local(utcnow(), world.salon.timezone)
    customer_with_visits(world.salon, name, [(local_now - datetime.timedelta(days=days), 100) for days in (120, 110, 100)])
    SalonCustomer.update(birthday=born, follow_up_on=today).where(SalonCustomer.full_name == name).execute()
    shown = escape(name)
    url = f"/salons/{world.salon.id}/today"
    english = client.get(url).get_data(as_text=True)
    french = client.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert name not in english and name not in french
    for page, sentences in [
        (english, [f'aria-label="Record a call or message for {shown}"', f'aria-label="Send a message to {shown}"',
                   f"turns {today.year - born.year}", "usually every 10 days, last came 100 days ago"]),
        (french, [f'aria-label="Noter un appel ou un message pour {shown}"', f'aria-label="Envoyer un message à {shown}"',
                  f"fête ses {today.year - born.year} ans", "habituellement tous les 10 jours, dernière visite il y a 100 jours"]),
    ]:
        missing = [sentence for sentence in sentences if sentence not in page]
        assert not missing
        assert page.count(f' {shown}"') == 6  # two buttons on each of its rows: birthday, follow-up, overdue


def test_follow_up_done_in_place_with_htmx(client, world, login_as):
    user = login_as("employee")
    customer = factories.make_customer(world.salon, "Call Me", follow_up_on=date(2026, 1, 1))
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/done",
                           headers={"HX-Request": "true", "HX-Target": f"follow-up-{customer.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "follow-up done" in body
    assert SalonCustomer.get_by_id(customer.id).follow_up_on is None
    event = AuditEvent.get(AuditEvent.action == "customer.follow_up_done")
    assert (event.user_id, event.object_id, event.detail["follow_up_on"]) == (user.id, str(customer.id), "2026-01-01")
    # A second click (or a colleague's) changes nothing and says so.
    again = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/done", headers={"HX-Request": "true"})
    assert "no follow-up pending" in again.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "customer.follow_up_done").count() == 1


def test_snooze_moves_the_follow_up_a_week_from_today(client, world, login_as):
    login_as("owner")
    customer = factories.make_customer(world.salon, "Later", follow_up_on=date(2026, 1, 1))
    today = local_today(world.salon.timezone)
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/snooze", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "snoozed until" in response.get_data(as_text=True)
    customer = SalonCustomer.get_by_id(customer.id)
    assert customer.follow_up_on == today + datetime.timedelta(days=7) and customer.version == 2
    assert AuditEvent.select().where(AuditEvent.action == "customer.follow_up_snoozed").count() == 1


def test_follow_up_actions_without_javascript_redirect_back(client, world, login_as):
    login_as("employee")
    customer = factories.make_customer(world.salon, "Plain Form", follow_up_on=date(2026, 1, 1))
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/done")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/salons/{world.salon.id}/today#follow-ups")


def test_follow_up_of_another_salons_customer_is_404_and_unchanged(client, world, login_as):
    login_as("owner")
    SalonCustomer.update(follow_up_on=date(2026, 1, 1)).where(SalonCustomer.id == world.other_customer.id).execute()
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{world.other_customer.id}/done")
    assert response.status_code == 404
    assert SalonCustomer.get_by_id(world.other_customer.id).follow_up_on == date(2026, 1, 1)


def test_follow_up_actions_need_the_csrf_token(client, world, login_as):
    login_as("employee")
    customer = factories.make_customer(world.salon, "Protected", follow_up_on=date(2026, 1, 1))
    client.csrf_token = None
    response = client.post(f"/salons/{world.salon.id}/today/follow-ups/{customer.id}/done")
    assert response.status_code == 400
    assert SalonCustomer.get_by_id(customer.id).follow_up_on == date(2026, 1, 1)


def test_each_list_counts_all_matches_beyond_its_limit_in_its_one_statement(salon):
    """The total rides on the rows (COUNT(*) OVER ()), so it is the full count even past the shown limit."""
    for day in (1, 2, 3):
        factories.make_customer(salon, f"Call {day}", follow_up_on=date(2026, 3, day))
        factories.make_customer(salon, f"Born {day}", birthday=date(1990, 3, 15 + day))
        customer_with_visits(salon, f"Came {day}", [(D(2020 + day, 3, 15, 9), 100)])
    customers, total = reminders.follow_ups_due(salon, date(2026, 3, 15), limit=2)
    assert total == 3 and [c.full_name for c in customers] == ["Call 1", "Call 2"]
    rows, total = reminders.birthdays(salon, date(2026, 3, 15), limit=1)
    assert total == 3 and _names(rows) == ["Born 1"]
    rows, total = reminders.anniversaries(salon, date(2026, 3, 15), limit=2)
    assert total == 3 and _names(rows) == ["Came 1", "Came 2"]
    assert reminders.follow_ups_due(salon, date(2025, 1, 1), limit=2) == ([], 0)
