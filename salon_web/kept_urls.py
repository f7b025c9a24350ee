"""Templates' `url_for`, remembering the URLs it built.

A page builds 20-40 URLs (the top bar alone a dozen: sections, salons, profile, log-out), each ~6 µs in
werkzeug's router, and nearly all of them are the same on every request of a salon. A relative URL depends on
the endpoint, its values and the request's script root (the prefix of an app mounted below "/") only, so it
is kept under those. Anything else (`_external`, `_anchor`, a blueprint-relative ".endpoint",
values other than ids and strings, URL-default callbacks that may read the request, no request at all) is built
every time.
"""
from flask import current_app
from flask.globals import _cv_request

MAX_KEPT = 4096  # a salon's top bar and row links fit many times over; past it the cache starts again
# Values kept by: ids and names. Not booleans (True == 1 would share 1's URL) nor None, lists, lazy strings.
KEPT_TYPES = frozenset({int, str})


class KeptUrls:
    """`url_for` for one app's templates (see the module's docstring)."""

    def __init__(self, app):
        self.app = app
        self.kept = {}

    def __call__(self, endpoint, /, **values):
        context = _cv_request.get(None)  # the request context itself: the `request` proxy cost 0.8 µs a call
        if context is None or endpoint[:1] == "." or self.app.url_default_functions:
            return self.app.url_for(endpoint, **values)
        for name, value in values.items():
            if value.__class__ not in KEPT_TYPES or name[:1] == "_":
                return self.app.url_for(endpoint, **values)
        # The values in the call's order: a template calls with the same names in the same order.
        key = (context.request.root_path, endpoint, *values.items())
        url = self.kept.get(key)
        if url is None:
            url = self.app.url_for(endpoint, **values)
            if len(self.kept) >= MAX_KEPT:
                self.kept.clear()
            self.kept[key] = url
        return url


def url_for(endpoint, /, **values):
    """Flask's `url_for` through the current app's kept URLs (for helpers that build the top bar's links)."""
    return current_app.extensions["kept_urls"](endpoint, **values)


def init_app(app):
    app.extensions["kept_urls"] = app.jinja_env.globals["url_for"] = KeptUrls(app)
