"""The list's filter (parsed by its form, checked by the service), search, every sort and keyset paging (no Flask)."""
import datetime
import itertools

import pytest
from werkzeug.datastructures import MultiDict

from salon_web.services.customer_filter import SORTS, Cursor
from salon_web.services.customer_page import customer_page
from salon_web.web_forms.customer_list import list_filter
from tests import factories
from tests.list_helpers import NOW, make


def parse(salon, **args):
    customer_filter, errors = list_filter(MultiDict(args), salon)
    assert not errors, errors
    return customer_filter


def names(salon, **args):
    return [c.full_name for c in customer_page(parse(salon, **args), salon, now=NOW).customers]


@pytest.fixture
def crowd(world):
    """Eight customers with ties on every sort, two who never came, plus the world's two."""
    salon = world.salon
    people = [
        make(salon, "Béatrice Habimana", days_ago=3, visits=5, spent=50_000, tags=["VIP", "Regular"]),
        make(salon, "Claude Mugisha", days_ago=3, visits=5, spent=50_000, tags=["Regular"]),
        make(salon, "Diane Uwimana", days_ago=40, visits=2, spent=12_000, email="diane@example.com"),
        make(salon, "Eric Ingabire", days_ago=100, visits=9, spent=90_000, tags=["VIP"]),
        make(salon, "Fabrice Uwase", days_ago=100, visits=1, spent=5_000, phone="0722 000 111"),
        make(salon, "Grace 100%_off", days_ago=10, visits=2, spent=20_000),
        make(salon, "Hélène Kayitesi", days_ago=None),
        make(salon, "Innocent Mutesi", days_ago=None),
    ]
    return people


def expected_order(salon, sort, order):
    from salon_web.models import SalonCustomer

    rows = list(SalonCustomer.select().where(SalonCustomer.salon == salon))
    key = {"last_visit": "last_visit_at", "total_spent": "total_spent", "visit_count": "visit_count",
           "name": "name_search"}[sort]
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), r.id), reverse=order == "desc")
    missing.sort(key=lambda r: r.id, reverse=order == "desc")
    return [r.id for r in present + missing]


@pytest.mark.parametrize("sort, order", list(itertools.product(SORTS, ("asc", "desc"))))
def test_keyset_walk_forward_and_back_visits_every_row_once_in_order(world, crowd, sort, order):
    salon = world.salon
    expected = expected_order(salon, sort, order)
    seen, pages, cursor = [], [], None
    while True:
        args = {"sort": sort, "order": order, "per_page": "3"}
        if cursor:
            args["cursor"] = cursor
        page = customer_page(parse(salon, **args), salon, now=NOW)
        pages.append([c.id for c in page.customers])
        seen.extend(c.id for c in page.customers)
        assert page.total == len(expected)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    # and back again with the previous-page cursors
    back = [pages[-1]]
    previous = customer_page(parse(salon, sort=sort, order=order, per_page="3", cursor=_last_cursor(salon, sort, order)), salon, now=NOW)
    while previous.previous_cursor:
        previous = customer_page(parse(salon, sort=sort, order=order, per_page="3", cursor=previous.previous_cursor), salon, now=NOW)
        back.insert(0, [c.id for c in previous.customers])
    assert back == pages


def _last_cursor(salon, sort, order):
    """The cursor that opens the last page (following next links)."""
    cursor, last = None, None
    while True:
        args = {"sort": sort, "order": order, "per_page": "3"}
        if cursor:
            args["cursor"] = cursor
        page = customer_page(parse(salon, **args), salon, now=NOW)
        if page.next_cursor is None:
            return last
        last, cursor = page.next_cursor, page.next_cursor


def test_default_is_last_visit_newest_first_never_came_last(world, crowd):
    listed = names(world.salon)
    assert listed[:2] == ["Claude Mugisha", "Béatrice Habimana"]  # same day: higher id first
    # never came: last, newest record first (the id tie-breaker follows the sort direction)
    assert listed[-3:] == ["Innocent Mutesi", "Hélène Kayitesi", "Aline Uwase"]


def test_page_parameter_matches_the_cursor_pages(world, crowd):
    salon = world.salon
    expected = expected_order(salon, "last_visit", "desc")
    by_page = []
    for number in (1, 2, 3, 4):
        by_page += [c.id for c in customer_page(parse(salon, page=str(number), per_page="3"), salon, now=NOW).customers]
    assert by_page == expected


@pytest.mark.parametrize("q, expected", [
    ("habimana", {"Béatrice Habimana"}),
    ("BEATRICE", {"Béatrice Habimana"}),  # case and accents ignored
    ("hélène", {"Hélène Kayitesi"}),
    ("uwase", {"Aline Uwase", "Fabrice Uwase"}),
    ("0788 123 456", {"Aline Uwase"}),  # local format, normalised with the salon's country
    ("+250 788 123 456", {"Aline Uwase"}),
    ("0722 000", {"Fabrice Uwase"}),  # partial local number: prefix of the national number
    ("0111", {"Fabrice Uwase"}),  # a leading 0 may be the trunk prefix or part of the last digits
    ("0799", set()),
    ("000111", {"Fabrice Uwase"}),  # the last digits
    ("diane@", {"Diane Uwimana"}),
    ("ALINE@EXAMPLE.COM", {"Aline Uwase"}),
    ("100%", {"Grace 100%_off"}),  # % and _ are literal
    ("%", set()),
    ("_", set()),
    ("0%_", {"Grace 100%_off"}),
    ("di", {"Diane Uwimana"}),  # 1-2 characters: start of the name
    ("e", {"Eric Ingabire"}),
    ("zzz", set()),
])
def test_search(world, crowd, q, expected):
    assert set(names(world.salon, q=q, per_page="100")) == expected


def test_search_never_returns_another_salons_customer(world, crowd):
    factories.make_customer(world.other_salon, "Béatrice Habimana")
    assert names(world.salon, q="habimana") == ["Béatrice Habimana"]
    assert names(world.salon, q="emilie") == []  # world.other_customer is Émilie Martin


def test_no_parameters_give_the_filter_the_form_gives_for_none(world):
    from salon_web.services.customer_filter import checked
    from salon_web.web_forms.customer_list import CustomerListForm

    for salon in (world.salon, world.other_salon):
        form = CustomerListForm(MultiDict(), currency=salon.currency)
        assert form.validate()
        assert list_filter(MultiDict(), salon) == (checked(form.customer_filter(), salon), {})


def test_an_unfiltered_page_runs_the_where_peewee_compiles_for_its_salon(world, crowd):
    from salon_web.services import customer_page as page_module

    unfiltered = parse(world.salon)
    assert page_module._matching_sql(unfiltered, world.salon, NOW) == page_module._compiled_where(
        unfiltered, world.salon, NOW)
    # compiled once, for whichever salon asked first: each salon still sees only its own customers
    assert names(world.other_salon) == ["Émilie Martin"]
    assert "Émilie Martin" not in names(world.salon, per_page="100")


@pytest.mark.parametrize("args, expected", [
    ({"tags": ["VIP"]}, {"Béatrice Habimana", "Eric Ingabire", "Aline Uwase"}),
    ({"tags": ["VIP", "Regular"]}, {"Béatrice Habimana", "Claude Mugisha", "Eric Ingabire", "Aline Uwase"}),
    ({"tags": ["VIP", "Regular"], "tag_mode": "all"}, {"Béatrice Habimana"}),
    ({"tags": ["Regular"], "tag_mode": "all"}, {"Béatrice Habimana", "Claude Mugisha"}),
    ({"min_visits": "5"}, {"Béatrice Habimana", "Claude Mugisha", "Eric Ingabire"}),
    ({"min_spent": "50000"}, {"Béatrice Habimana", "Claude Mugisha", "Eric Ingabire"}),
    ({"days_since_last_visit": "40"}, {"Diane Uwimana", "Eric Ingabire", "Fabrice Uwase"}),
    ({"days_since_last_visit": "41"}, {"Eric Ingabire", "Fabrice Uwase"}),
    ({"days_since_last_visit": "40", "min_visits": "2", "q": "uw"}, set()),
    ({"days_since_last_visit": "30", "q": "uwimana", "min_spent": "10000"}, {"Diane Uwimana"}),
    ({"tags": ["VIP"], "min_visits": "6", "q": "eric"}, {"Eric Ingabire"}),
])
def test_filters_and_their_combinations(world, crowd, args, expected):
    salon = world.salon
    customer_filter, errors = list_filter(MultiDict(list(_pairs(args))), salon)
    assert not errors
    page = customer_page(customer_filter, salon, now=NOW)
    assert {c.full_name for c in page.customers} == expected
    assert page.total == len(expected)


def _pairs(args):
    for key, value in args.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


def test_min_spent_is_typed_in_major_units(world):
    paris = world.other_salon
    rich = make(paris, "Chloé Riche", days_ago=1, visits=1, spent=12_550)  # €125.50
    make(paris, "Léa Moins", days_ago=1, visits=1, spent=12_549)
    customer_filter, errors = list_filter({"min_spent": "125.50"}, paris)
    assert not errors and customer_filter.min_spent == 12_550
    assert [c.id for c in customer_page(customer_filter, paris, now=NOW).customers] == [rich.id]
    assert ("min_spent", "125.50") in customer_filter.to_args()


@pytest.mark.parametrize("args, field", [
    ({"sort": "phone"}, "sort"),
    ({"order": "sideways"}, "order"),
    ({"tag_mode": "some"}, "tag_mode"),
    ({"tags": "Nope"}, "tags"),
    ({"min_visits": "-1"}, "min_visits"),
    ({"min_visits": "many"}, "min_visits"),
    ({"min_spent": "ten"}, "min_spent"),
    ({"min_spent": "-5"}, "min_spent"),
    ({"min_spent": "1.5"}, "min_spent"),  # RWF has no minor unit
    ({"days_since_last_visit": "1e9"}, "days_since_last_visit"),
    ({"days_since_last_visit": "99999999999999999999"}, "days_since_last_visit"),
    ({"per_page": "0"}, "per_page"),
    ({"per_page": "101"}, "per_page"),
    ({"page": "0"}, "page"),
    ({"page": "x"}, "page"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"q": "x" * 101}, "q"),
])
def test_invalid_values_give_a_message_for_their_field(world, args, field):
    _, errors = list_filter(args, world.salon)
    assert list(errors) == [field]
    assert errors[field]


def test_a_cursor_for_another_sort_is_refused(world, crowd):
    page = customer_page(parse(world.salon, per_page="2"), world.salon)
    _, errors = list_filter({"cursor": page.next_cursor, "sort": "name"}, world.salon)
    assert "cursor" in errors


def test_cursor_round_trips(world):
    cursor = Cursor("last_visit", "desc", "after", 0, datetime.datetime(2026, 1, 2, 3, 4, 5), 42)
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode(Cursor("name", "asc", "before", 1, None, 3).encode()) is None  # only last_visit has phase 1


def test_query_string_round_trips_through_the_form(world, crowd):
    args = MultiDict([("q", "uw"), ("tags", "VIP"), ("tags", "Regular"), ("tag_mode", "all"), ("min_visits", "2"),
                      ("min_spent", "1000"), ("days_since_last_visit", "7"), ("sort", "name"), ("order", "desc"),
                      ("per_page", "50")])
    first, _ = list_filter(args, world.salon)
    again, errors = list_filter(MultiDict(first.to_args()), world.salon)
    assert not errors and again == first
