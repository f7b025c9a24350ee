"""Row links from one URL pattern: `pattern % id` gives what url_for gives."""
from flask import url_for

from salon_web.template_helpers import id_url_pattern


def test_the_pattern_gives_url_for(app):
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/a%20b"}):  # a root path with a '%'
        pattern = id_url_pattern("customer_detail.show", "customer_id", salon_id=7)
        for customer_id in (1, 42, 9_007_199_254_740_991):
            assert pattern % customer_id == url_for("customer_detail.show", salon_id=7, customer_id=customer_id)


def test_an_id_outside_the_path_goes_in_the_query_as_url_for_puts_it(app):
    with app.test_request_context("/"):
        pattern = id_url_pattern("customers.customer_list", "customer_id", salon_id=7)
        assert pattern % 5 == url_for("customers.customer_list", salon_id=7, customer_id=5)
