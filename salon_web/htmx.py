"""The one place that knows htmx's headers: fragment or page, several blocks in one swap, redirects, events."""
import json

from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx():
    return bool(getattr(request, "htmx", None))


def is_history_restore():
    """Back/forward with historyCacheSize 0 re-requests the URL: it needs the whole page."""
    return is_htmx() and request.htmx.history_restore_request


def is_fragment_request(target=None):
    """True when htmx swaps part of a page (optionally only when it targets the element id `target`)."""
    if not is_htmx() or is_history_restore():
        return False
    return target is None or request.htmx.target == target


wants_fragment = is_fragment_request  # the name the list, till and analytics views use


def render(template, block, *, target=None, status=200, **context):
    """Render `block` of `template` for htmx swaps, else the whole page."""
    if is_fragment_request(target):
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def render_fragment(template, *blocks, out_of_band=(), triggers=(), status=200, **context):
    """One htmx response: `blocks` in order, then `out_of_band` blocks (rendered with oob=True), `triggers` fired."""
    body = "".join(render_block(template, block, **context) for block in blocks)
    body += "".join(render_block(template, block, **{**context, "oob": True}) for block in out_of_band)
    return trigger(make_response(body, status), *triggers)


def render_partial(partial, *, status=200, **context):
    """Render a shared partial template (a table row, the timeline's rows) as the whole fragment."""
    return render_template(partial, **context), status


def redirect_to(url):
    """Redirect after a write: HX-Redirect for htmx (a 303 would be followed by XHR), 303 otherwise."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def trigger(response, *events, detail=None):
    """Fire client-side events after the swap (HX-Trigger); return the response."""
    if events:
        response.headers["HX-Trigger"] = json.dumps({event: detail or {} for event in events})
    return response


def reswap(response, how):
    """Set HX-Reswap directly: htmx-flask's make_response rejects valid values (PITFALLS.md)."""
    response.headers["HX-Reswap"] = how
    return response


def add_vary_header(response):
    """Caches must key on HX-Request: the same URL answers with a page or a fragment."""
    response.vary.add("HX-Request")
    return response
