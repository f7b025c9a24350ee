"""Configuration: defaults in code, overridden by the environment, overridden by tests."""
import os
import secrets
from pathlib import Path

DEVELOPMENT = "development"
PRODUCTION = "production"


def load_config(instance_path, overrides=None):
    """Return the app's configuration as a dict for `app.config.update`."""
    overrides = overrides or {}
    env = overrides.get("ENV") or os.environ.get("SALON_WEB_ENV", DEVELOPMENT)
    config = {
        "ENV": env,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or _default_sqlite_url(instance_path),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "DEMO_PASSWORD": os.environ.get("SALON_WEB_DEMO_PASSWORD", "demo-password-123"),
        "PROXY_FIX": os.environ.get("SALON_WEB_PROXY_FIX") == "1",
        # Failed logins allowed in LOGIN_THROTTLE_WINDOW seconds before 429.
        "LOGIN_THROTTLE_PER_ACCOUNT": 5,
        "LOGIN_THROTTLE_PER_IP": 20,
        "LOGIN_THROTTLE_WINDOW": 15 * 60,
        # API requests allowed per token in each API_RATE_WINDOW seconds.
        "API_RATE_LIMIT": int(os.environ.get("SALON_WEB_API_RATE_LIMIT", "600")),
        "API_RATE_WINDOW": 60,
        # PostgreSQL: seconds before an unreachable database or a stuck statement answers 503.
        "DATABASE_CONNECT_TIMEOUT": float(os.environ.get("SALON_WEB_DB_CONNECT_TIMEOUT", "3")),
        "DATABASE_STATEMENT_TIMEOUT": float(os.environ.get("SALON_WEB_DB_STATEMENT_TIMEOUT", "10")),
        "EXPORT_STATEMENT_TIMEOUT": float(os.environ.get("SALON_WEB_EXPORT_STATEMENT_TIMEOUT", "300")),
        "DATABASE_APPLICATION_NAME": os.environ.get("SALON_WEB_DB_APPLICATION_NAME", "salon_web"),
        # PostgreSQL: plan the hottest fixed statements once per connection. Set 0 behind PgBouncer in
        # transaction mode, where a connection's server session (and what it prepared) changes between transactions.
        "DATABASE_PREPARED_STATEMENTS": os.environ.get("SALON_WEB_DB_PREPARED_STATEMENTS", "1") != "0",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env != DEVELOPMENT,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env != DEVELOPMENT,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A client-book upload (views/imports.py, the API's imports): 50,000 rows of CSV is about 5 MB.
        "IMPORT_MAX_BYTES": int(os.environ.get("SALON_WEB_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))),
        # Messages (services/messages): transports from the environment only; the outbox when none is set.
        "SMTP_URL": os.environ.get("SMTP_URL"),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "salon@localhost"),
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM": os.environ.get("TWILIO_FROM", ""),
        "TWILIO_BASE_URL": os.environ.get("TWILIO_BASE_URL", "https://api.twilio.com"),
        # Where links in messages (unsubscribe, feedback) and webhooks point.
        "PUBLIC_BASE_URL": os.environ.get("SALON_WEB_PUBLIC_URL", "http://localhost:5000"),
        # A message left "sending" this long was interrupted (a killed worker): failed, never resent.
        "MESSAGE_SENDING_TIMEOUT": int(os.environ.get("SALON_WEB_MESSAGE_SENDING_TIMEOUT", "600")),
    }
    config.update(overrides)
    if not config["SECRET_KEY"]:
        if config["ENV"] == PRODUCTION:
            raise RuntimeError("SECRET_KEY must be set when SALON_WEB_ENV=production")
        config["SECRET_KEY"] = _development_secret(instance_path)
    return config


def _default_sqlite_url(instance_path):
    return f"sqlite:///{Path(instance_path) / 'salon_web.sqlite3'}"


def _development_secret(instance_path):
    """Generate a secret once per checkout so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
