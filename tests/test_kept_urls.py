"""Templates' url_for keeps the URLs it built: each is what Flask's url_for gives for the same request."""
from flask import render_template_string, url_for

from salon_web import kept_urls


def kept(app):
    return app.jinja_env.globals["url_for"]


def test_a_kept_url_is_the_one_url_for_builds_under_each_script_root(app):
    calls = [("salons.home", {}), ("static", {"filename": "app.css"}), ("customers.customer_list", {"salon_id": 7}),
             ("customer_detail.show", {"salon_id": 7, "customer_id": 42}),
             ("messages.campaign_list", {"salon_id": 7, "query": "q=a b&tags=VIP"})]
    for root in ("", "/salon", "/other%20root"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            for _ in range(2):  # built, then kept
                for endpoint, values in calls:
                    assert kept(app)(endpoint, **values) == url_for(endpoint, **values)
                    assert url_for(endpoint, **values).startswith(root or "/")


def test_values_that_are_not_ids_or_names_are_built_every_time(app):
    with app.test_request_context("/", base_url="http://one.example"):
        assert kept(app)("customers.customer_list", salon_id=7, page=1) == "/salons/7/customers?page=1"
        assert kept(app)("customers.customer_list", salon_id=7, page=True) == "/salons/7/customers?page=True"
        assert kept(app)("customers.customer_list", salon_id=7, tags=["a", "b"]) == "/salons/7/customers?tags=a&tags=b"
        assert kept(app)("salons.home", _external=True) == "http://one.example/"
    with app.test_request_context("/", base_url="http://two.example"):
        assert kept(app)("salons.home", _external=True) == "http://two.example/"


def test_a_page_renders_its_urls_through_it(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ url_for('salons.home') }}|{{ url_for('salons.salon_list') }}") == "/|/salons"
        assert ("", "salons.salon_list") in kept(app).kept  # (script root, endpoint, values...)


def test_it_starts_again_when_full(app, monkeypatch):
    monkeypatch.setattr(kept_urls, "MAX_KEPT", 3)
    kept(app).kept.clear()  # the app serves the whole session's tests
    with app.test_request_context("/"):
        for salon_id in range(1, 8):
            assert kept(app)("customers.customer_list", salon_id=salon_id) == f"/salons/{salon_id}/customers"
            assert len(kept(app).kept) <= 3


def test_outside_a_request_it_builds_as_url_for_does(app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", "salon.example")  # an app context's URLs need the host
    with app.app_context():
        assert kept(app)("salons.salon_list") == url_for("salons.salon_list") == "http://salon.example/salons"
