"""Response headers every page gets: CSP without inline code, no sniffing, no framing."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def client_ip(request):
    """The caller's address (ProxyFix, when enabled, has already applied X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def add_security_headers(response, request):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        # Pages carry customer data: never keep them in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def has_nul_byte(request):
    """True when a query or form value holds a NUL byte: PostgreSQL refuses those in text."""
    # Every value of a repeated parameter, and the names too: values() alone gives only the first.
    pairs = list(request.args.items(multi=True)) + (list(request.form.items(multi=True)) if request.form else [])
    return any("\x00" in name or "\x00" in value for name, value in pairs)
