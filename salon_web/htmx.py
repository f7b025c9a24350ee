"""The one place that knows htmx's headers: fragment or page, redirects, events."""
import json

from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx():
    return bool(getattr(request, "htmx", None))


def is_history_restore():
    """Back/forward with historyCacheSize 0 re-requests the URL: it needs the whole page."""
    return is_htmx() and request.htmx.history_restore_request


def wants_fragment(target=None):
    """True when htmx swaps part of a page (optionally only when it targets `target`)."""
    if not is_htmx() or is_history_restore():
        return False
    return target is None or request.htmx.target == target


def render(template, block, *, target=None, status=200, **context):
    """Render `block` of `template` for htmx swaps, else the whole page."""
    if wants_fragment(target):
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def redirect_to(url):
    """Redirect after a write: HX-Redirect for htmx (a 303 would be followed by XHR), 303 otherwise."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def trigger(response, event, detail=None):
    """Fire a client-side event after the swap (HX-Trigger)."""
    response.headers["HX-Trigger"] = json.dumps({event: detail or {}})
    return response


def reswap(response, how):
    """Set HX-Reswap directly: htmx-flask's make_response rejects valid values (PITFALLS.md)."""
    response.headers["HX-Reswap"] = how
    return response


def add_vary_header(response):
    """Caches must key on HX-Request: the same URL answers with a page or a fragment."""
    response.vary.add("HX-Request")
    return response
