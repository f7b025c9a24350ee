"""Shared by the message tests: customers with consent, a local SMTP server and a local stand-in for Twilio."""
import datetime
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from salon_web.models import SalonCustomer, utcnow
from salon_web.services.messages.rules import settings_for
from tests import factories


def without_quiet_hours(salon):
    """Save the salon's message settings with no quiet hours: tests that send at the real clock (a consumer, a
    view) would otherwise see their messages wait whenever the suite runs between 21:00 and 08:00 salon time."""
    settings = settings_for(salon)
    settings.quiet_start = settings.quiet_end = 0
    settings.save()
    return settings


def consenting(salon, name="Aline Uwase", *, phone=None, email=None, channels=None, **fields):
    """A customer who gave marketing consent a year ago (and accepts `channels`, all when None)."""
    customer = factories.make_customer(salon, name, phone=phone, email=email, **fields)
    SalonCustomer.update(marketing_consent_at=utcnow() - datetime.timedelta(days=365),
                         communication_preferences=list(channels or [])).where(SalonCustomer.id == customer.id).execute()
    return SalonCustomer.get_by_id(customer.id)


class Inbox:
    """What the local SMTP server received: (recipients, message text)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def recipients(self):
        with self.lock:
            return [r for rcpts, _ in self.messages for r in rcpts]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp():
    """Start aiosmtpd on a free port; return (controller, inbox). Stop with controller.stop()."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


class FakeTwilio:
    """A local HTTP server answering Twilio's Messages API like Twilio does (201 with a sid)."""

    def __init__(self, fail_with=None):
        self.requests = []
        self.fail_with = fail_with
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **fields})
                if outer.fail_with:
                    self.send_response(outer.fail_with)
                    self.end_headers()
                    self.wfile.write(b'{"code": 21211, "message": "invalid"}')
                    return
                body = json.dumps({"sid": f"SM{len(outer.requests):032d}", "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def bulk_customers(salon, count, *, email=True, phone=True, consent=True):
    """Insert `count` customers in a few statements (identities first); return their ids."""
    from salon_web.models import Customer
    from salon_web.db import db

    now = utcnow()
    phones = [f"+25072{salon.id:02d}{n:05d}" for n in range(count)]
    with db.atomic():
        for start in range(0, count, 500):
            Customer.insert_many([{"phone_e164": p, "created_at": now} for p in phones[start:start + 500]]).execute()
        identities = dict(Customer.select(Customer.phone_e164, Customer.id).where(Customer.phone_e164.in_(phones)).tuples())
        rows = [{"salon": salon.id, "identity": identities[p], "full_name": f"Client {n:05d}",
                 "name_search": f"client {n:05d}", "phone": p if phone else None, "phone_e164": p if phone else None,
                 "email": f"client{n:05d}@example.com" if email else None,
                 "marketing_consent_at": now - datetime.timedelta(days=30) if consent else None,
                 "communication_preferences": [], "preferences": {}, "created_at": now, "updated_at": now}
                for n, p in enumerate(phones)]
        for start in range(0, count, 500):
            SalonCustomer.insert_many(rows[start:start + 500]).execute()
    return [c.id for c in SalonCustomer.in_salon(salon, SalonCustomer.id)]
