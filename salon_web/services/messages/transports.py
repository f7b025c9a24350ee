"""Transports behind one small interface: `send(message, commit)`, raising TransportError.

`commit(reference)` is a context manager the caller gives: entering it records the message as sent in an open
database transaction, leaving it commits. A transport wraps its point of no return in it. SMTP's is the final "."
of DATA: the row is written, the "." sent, and the transaction committed right after, so the only moment where
a killed worker leaves the database and the server disagreeing is between two socket writes (the "." and the
COMMIT). Killed before the ".", the server drops the unfinished DATA and the row is still "sending": it can be
sent again (`resumable`). An HTTP API such as Twilio's has no such point: commit follows the provider's answer,
and a worker killed in between leaves the message "delivery unknown", never resent (at most once).
"""
import base64
import hashlib
import hmac
import json
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

OUTBOX = "outbox"
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


class TransportError(Exception):
    """Sending failed; `permanent` failures are not retried (a refused recipient), others are."""

    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


class OutboxTransport:
    """Stores only: the message row itself is what the Outbox page shows."""

    name = OUTBOX
    resumable = True

    def send(self, message, commit):
        with commit(f"outbox-{message.id}"):
            pass

    def close(self):
        pass


class SmtpTransport:
    """E-mail over SMTP (stdlib smtplib), one connection kept open for a batch."""

    name = "smtp"
    resumable = True

    def __init__(self, url, sender, timeout=20):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        query = urllib.parse.parse_qs(parsed.query)
        self.host = parsed.hostname or "localhost"
        self.port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.tls = parsed.scheme == "smtps"
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.username = urllib.parse.unquote(parsed.username) if parsed.username else None
        self.password = urllib.parse.unquote(parsed.password) if parsed.password else None
        self.sender = sender
        self.timeout = timeout
        self._connection = None

    def _connect(self):
        if self._connection is None:
            context = ssl.create_default_context()
            if self.tls:
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password or "")
            # The final "." goes out alone: without NODELAY, Nagle and delayed ACKs stall it ~40 ms.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._connection = connection
        return self._connection

    def build(self, message):
        """Return the EmailMessage for an outbound row (a stable Message-ID; unsubscribe headers for marketing)."""
        # Long lines allowed (RFC 5322's 998): a List-Unsubscribe URL must stay one unencoded token.
        email = EmailMessage(policy=SMTP_POLICY)
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or ""
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<salon-web-{message.salon_id}-{message.id}@{self.sender.rpartition('@')[2] or 'localhost'}>"
        unsubscribe = getattr(message, "unsubscribe_url", None)
        if unsubscribe:
            email["List-Unsubscribe"] = f"<{unsubscribe}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(message.body)
        return email

    def send(self, message, commit):
        email = self.build(message)
        data = re.sub(rb"(?m)^\.", b"..", email.as_bytes(policy=SMTP_POLICY))  # dot-stuffing (RFC 5321)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        committed = False
        try:
            connection = self._connect()
            connection.ehlo_or_helo_if_needed()
            code, reply = connection.mail(self.sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self.sender)
            code, reply = connection.rcpt(message.recipient)
            if code not in (250, 251):
                connection.rset()
                raise TransportError(f"recipient refused: {code} {reply!r}", permanent=500 <= code < 600)
            code, reply = connection.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            connection.send(data)  # the whole message, but not the final "." that makes the server take it
            with commit(email["Message-ID"]):  # recorded as sent; committed just after the "." leaves
                connection.send(b".\r\n")
            committed = True
            code, reply = connection.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except TransportError:
            raise
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TransportError(f"SMTP: {error}", permanent=committed) from None

    def close(self):
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._connection = None


class TwilioSms:
    """SMS through Twilio's Messages API; the answer's `sid` is the reference delivery reports name."""

    name = "twilio"
    resumable = False  # no point of no return before Twilio's answer: a kill in between is "delivery unknown"

    def __init__(self, account_sid, auth_token, sender, base_url="https://api.twilio.com", status_callback=None,
                 timeout=20):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        self.base_url = base_url.rstrip("/")
        self.status_callback = status_callback
        self.timeout = timeout

    def send(self, message, commit):
        fields = {"To": message.recipient, "From": self.sender, "Body": message.body}
        if self.status_callback:
            fields["StatusCallback"] = self.status_callback
        url = f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                         headers={"Authorization": f"Basic {credentials}",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            # 4xx: Twilio refused this message (bad number, unsubscribed recipient): retrying cannot help.
            raise TransportError(f"Twilio answered {error.code}", permanent=400 <= error.code < 500 and error.code != 429) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise TransportError(f"Twilio unreachable: {error}") from None
        if not answer.get("sid"):
            raise TransportError("Twilio answered without a message sid")
        with commit(answer["sid"]):
            pass

    def close(self):
        pass


def twilio_signature(auth_token, url, params):
    """Return Twilio's X-Twilio-Signature for a webhook to `url` with these form parameters."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_twilio_signature(auth_token, url, params, signature):
    """True when `signature` is Twilio's for this request (constant-time comparison)."""
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(auth_token, url, params), signature)


def transports_from_config(config):
    """Return {"email": transport, "sms": transport}: SMTP and Twilio when configured, else the outbox."""
    email = OutboxTransport()
    if config.get("SMTP_URL"):
        email = SmtpTransport(config["SMTP_URL"], config.get("SMTP_FROM") or "salon@localhost")
    sms = OutboxTransport()
    if config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"):
        callback = config.get("PUBLIC_BASE_URL", "").rstrip("/") + "/hooks/twilio/status"
        sms = TwilioSms(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config.get("TWILIO_FROM", ""),
                        config.get("TWILIO_BASE_URL") or "https://api.twilio.com", status_callback=callback)
    return {"email": email, "sms": sms}
