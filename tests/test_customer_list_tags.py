"""The list's rows carry their tags in the page statement: alphabetical, this salon's only, on every kind of page."""
import pytest
from werkzeug.datastructures import MultiDict

from salon_web.models import CustomerTag, Tag
from salon_web.services.customer_page import customer_page
from salon_web.services.customers import ensure_tag
from salon_web.web_forms.customer_list import list_filter
from tests.list_helpers import NOW, make
from salon_web.db import db
from tests.query_plans import explain, statements_of


def parse(salon, **args):
    customer_filter, errors = list_filter(MultiDict(args), salon)
    assert not errors, errors
    return customer_filter


def page_of(salon, **args):
    return customer_page(parse(salon, **args), salon, now=NOW)


@pytest.fixture
def tagged(world):
    """Customers who came and who never came (the "last visit" sort's two phases), with and without tags, and rows
    that tie them to another salon's tags (which no page may show); returns {customer id: expected tags}."""
    salon = world.salon
    people = [
        make(salon, "Came One", days_ago=1, tags=["VIP", "Braids", "Regular"]),
        make(salon, "Came Two", days_ago=2),
        make(salon, "Came Three", days_ago=3, tags=["Regular"]),
        make(salon, "Never One", days_ago=None, tags=["VIP", "Braids"]),
        make(salon, "Never Two", days_ago=None),
    ]
    # Only wrong data could do this: the salon condition on the tag is what keeps these out.
    elsewhere = ensure_tag(world.other_salon, "Elsewhere")
    CustomerTag.create(salon=world.other_salon, customer=people[1], tag=elsewhere)
    CustomerTag.create(salon=salon, customer=people[3], tag=elsewhere)
    expected = {world.customer.id: ["VIP"]}
    for person in people:
        expected[person.id] = sorted(
            t.name for t in Tag.select().join(CustomerTag)
            .where(CustomerTag.customer == person, CustomerTag.salon == salon, Tag.salon == salon))
    assert expected[people[1].id] == [] and expected[people[3].id] == ["Braids", "VIP"]
    return expected


def shown(page):
    return {customer.id: page.tags[customer.id] for customer in page.customers}


@pytest.mark.parametrize("sort", ["last_visit", "name", "total_spent"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_each_row_has_its_own_tags_alphabetically_on_every_cursor_page(world, tagged, sort, order):
    seen, cursor = {}, None
    while True:
        args = {"sort": sort, "order": order, "per_page": "2"}
        if cursor:
            args["cursor"] = cursor
        page = page_of(world.salon, **args)
        assert set(page.tags) == {c.id for c in page.customers}  # not the extra row that tells a next page exists
        seen.update(shown(page))
        if page.previous_cursor:  # and the same tags walking back
            back = page_of(world.salon, sort=sort, order=order, per_page="2", cursor=page.previous_cursor)
            assert all(back.tags[c.id] == tagged[c.id] for c in back.customers)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == tagged


def test_a_page_across_both_phases_and_offset_pages_carry_tags(world, tagged):
    across = page_of(world.salon, per_page="5")  # three who came, then two of the three who never came
    assert [c.full_name for c in across.customers][2:] == ["Came Three", "Never Two", "Never One"]
    assert shown(across) == {c.id: tagged[c.id] for c in across.customers}
    assert shown(page_of(world.salon, per_page="10")) == tagged
    by_offset = {}
    for number in (1, 2, 3):  # the second page runs from the first phase into the second
        by_offset.update(shown(page_of(world.salon, per_page="2", page=str(number))))
    assert by_offset == tagged


def test_a_page_without_rows_has_no_tags(world, tagged):
    page = page_of(world.salon, q="nobody by this name")
    assert page.customers == [] and page.tags == {} and page.total == 0


def test_a_filtered_page_reads_both_phases_in_one_statement(world, tagged):
    salon = world.salon
    came = parse(salon, per_page="2", min_visits="0")
    both = parse(salon, per_page="5", min_visits="0")  # needs never-came customers too
    assert len(statements_of(lambda: customer_page(came, salon, now=NOW))) == 1
    assert len(statements_of(lambda: customer_page(both, salon, now=NOW))) == 1
    assert [c.full_name for c in customer_page(both, salon, now=NOW).customers][3:] == ["Never Two", "Never One"]


def test_an_unfiltered_page_asks_for_the_never_came_only_when_it_came_short(world, tagged):
    salon = world.salon
    came, both = parse(salon, per_page="2"), parse(salon, per_page="5")
    assert len(statements_of(lambda: customer_page(came, salon, now=NOW))) == 1
    assert len(statements_of(lambda: customer_page(both, salon, now=NOW))) == 2
    (sql, _), = statements_of(lambda: customer_page(came, salon, now=NOW))
    assert "IS NULL ORDER BY" not in sql  # no never-came branch in it


@pytest.mark.postgres_only
def test_the_never_came_phase_is_not_read_when_the_first_fills_the_page(world, tagged):
    from salon_web.db import db

    def plan(per_page):
        page_filter = parse(world.salon, per_page=per_page, min_visits="0")  # a filter: both phases in one statement
        (sql, params), = statements_of(lambda: customer_page(page_filter, world.salon, now=NOW))
        return "\n".join(line for (line,) in db.execute_sql("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params))

    assert "never executed" in plan("2"), plan("2")  # three came: the page (and the extra row) is full
    assert "never executed" not in plan("5")


def test_a_rows_tag_links_are_found_by_its_customer(world, tagged):
    """Not by walking the salon's (salon_id, tag_id, customer_id) index for every row, as both planners did while
    the join's salon condition could use it (SQLite without statistics: 3.5x the statement's time)."""
    (sql, params), = statements_of(lambda: customer_page(parse(world.salon, per_page="2"), world.salon, now=NOW))
    plan = explain(sql, params)
    assert "customertag_customer_id" in plan and "customertag_salon_id" not in plan, plan  # (customer_id[, tag_id])


def test_a_tag_filter_still_shows_each_row_all_its_tags(world, tagged):
    page = page_of(world.salon, tags="Regular", sort="name", order="asc")
    assert {c.full_name: page.tags[c.id] for c in page.customers} == {
        "Came One": ["Braids", "Regular", "VIP"], "Came Three": ["Regular"]}


def test_the_page_shows_a_rows_tags_in_order(client, world, tagged, login_as):
    login_as("owner")
    html = client.get(f"/salons/{world.salon.id}/customers?q=came+one").get_data(as_text=True)
    assert ('<td class="cell-tags"><span class="tag">Braids</span><span class="tag">Regular</span>'
            '<span class="tag">VIP</span></td>') in html
    assert "Elsewhere" not in html


def sent_sql(salon, **args):
    """The statements a page sends as they are sent (a prepared one as its EXECUTE)."""
    sent, original = [], db.obj.execute_sql

    def recording(sql, params=None, *more, **options):
        sent.append(sql)
        return original(sql, params, *more, **options)

    db.obj.execute_sql = recording
    try:
        page_of(salon, **args)
    finally:
        db.obj.execute_sql = original
    return sent


@pytest.mark.postgres_only
def test_an_unfiltered_page_of_an_offered_size_is_prepared(world, tagged):
    """Its text is one of a few dozen and its best plan the same for every salon; anything else is planned anew."""
    def prepared(**args):
        return sent_sql(world.salon, **args)[0].startswith("EXECUTE salon_web_")

    for number in range(10):  # a second page of ten
        make(world.salon, f"Regular {number}", days_ago=10 + number)
    assert prepared() and prepared(per_page="10") and prepared(sort="name", order="asc", per_page="10")
    assert prepared(per_page="10", cursor=page_of(world.salon, per_page="10").next_cursor)
    assert not prepared(per_page="7")  # sizes the menu does not offer: no prepared statement per number typed
    assert not prepared(q="came") and not prepared(min_visits="0") and not prepared(page="2", per_page="10")
