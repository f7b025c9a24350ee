"""The outbound queue: queue intended messages once, claim each in a transaction, send, record.

Exactly once, in the at-most-once sense a killed worker allows:
- a message is one `outbound_message` row, unique on (salon, source, customer, occasion): queueing the same
  automation or campaign twice for one occasion inserts nothing;
- a worker claims one row at a time (queued/deferred -> sending) in its own committed transaction: on PostgreSQL
  with `FOR UPDATE SKIP LOCKED`, on SQLite with a conditional UPDATE (writes are serialised), so two workers
  never claim one row;
- it sends; around the transport's point of no return (`commit`) it marks the row sent and writes the communication
  history in one transaction (for SMTP: written before DATA's final ".", committed right after it);
- a row left "sending" by a killed worker (older than MESSAGE_SENDING_TIMEOUT) goes back to the queue when its
  transport is resumable (SMTP: an uncommitted message never had its final "." sent, so the server dropped it;
  the outbox), and is marked failed ("delivery unknown") otherwise (an HTTP SMS API may have delivered it before
  the kill): at most once always, exactly once on SMTP but for a kill between two socket writes.
The rules (consent, channel, quiet hours, cap) are checked again at claim time.
"""
import contextlib
import datetime

from salon_web.db import db, is_postgres
from salon_web.models import CustomerCommunication, NotInSalon, Salon, SalonCustomer, utcnow
from salon_web.models.messages import DEFERRED, FAILED, QUEUED, SENDING, SENT, SKIPPED, OutboundMessage
from salon_web.services.messages import links
from salon_web.services.messages.render import MARKETING, PURPOSES
from salon_web.services.messages.rules import CAPPED, is_capped, quiet_until, refusal, settings_for
from salon_web.services.messages.transports import TransportError, transports_from_config

CHUNK = 500
MAX_ATTEMPTS = 3
INTERRUPTED = "interrupted while sending (worker stopped): delivery unknown, not resent"
CLAIMABLE = (QUEUED, DEFERRED)
COLUMNS = ("salon", "customer", "source", "occasion", "purpose", "channel", "recipient", "subject", "body",
           "send_after", "campaign", "sent_by", "created_at")


INSERT_COLUMNS = ("salon_id", "customer_id", "source", "occasion", "purpose", "channel", "recipient", "subject",
                  "body", "send_after", "campaign_id", "sent_by_user_id", "created_at", "status", "attempts", "error")


def queue_messages(rows):
    """Insert intended messages (dicts of COLUMNS), ignoring any already queued for the same occasion; return
    how many were new.

    One multi-row INSERT ... ON CONFLICT DO NOTHING per chunk, written directly: peewee's insert_many spends
    most of a 10,000-message campaign building the statement.
    """
    inserted = 0
    now = utcnow()
    p = _param()
    columns = ", ".join(f'"{c}"' for c in INSERT_COLUMNS)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        params = []
        for row in chunk:
            params.extend((row["salon"], row["customer"], row["source"], row["occasion"], row["purpose"],
                           row["channel"], row["recipient"], row.get("subject", ""), row["body"], row["send_after"],
                           row.get("campaign"), row.get("sent_by"), row.get("created_at", now), QUEUED, 0, ""))
        values = ", ".join(["(" + ", ".join([p] * len(INSERT_COLUMNS)) + ")"] * len(chunk))
        with db.atomic():
            cursor = db.execute_sql(f'INSERT INTO "outbound_message" ({columns}) VALUES {values} '
                                    f'ON CONFLICT DO NOTHING', params)
            inserted += cursor.rowcount
    return inserted


def _param():
    return "%s" if is_postgres() else "?"


def claim_next(salon_id, now):
    """Claim the salon's next due message (-> sending) and return its id, or None; committed before returning."""
    p = _param()
    lock = " FOR UPDATE SKIP LOCKED" if is_postgres() else ""
    sql = (f'UPDATE "outbound_message" SET "status" = {p}, "claimed_at" = {p}, "attempts" = "attempts" + 1 '
           f'WHERE "salon_id" = {p} AND "status" IN ({p}, {p}) AND "id" = ('
           f'SELECT "id" FROM "outbound_message" WHERE "salon_id" = {p} AND "status" IN ({p}, {p}) '
           f'AND "send_after" <= {p} ORDER BY "send_after", "id" LIMIT 1{lock}) RETURNING "id"')
    with db.atomic():
        row = db.execute_sql(sql, [SENDING, now, salon_id, *CLAIMABLE, salon_id, *CLAIMABLE, now]).fetchone()
    return row[0] if row else None


def salons_with_due_messages(now, salon_id=None):
    """Return the ids of salons with messages due at `now` (one salon when given)."""
    query = OutboundMessage.select(OutboundMessage.salon).distinct().where(
        OutboundMessage.status.in_(CLAIMABLE) & (OutboundMessage.send_after <= now))
    if salon_id is not None:
        query = query.where(OutboundMessage.salon == salon_id)
    return [row.salon_id for row in query]


def recover_interrupted(now, timeout_seconds, transports, salon_id=None):
    """Messages stuck in "sending" longer than the timeout: queued again when their transport is resumable, else
    failed ("delivery unknown"); return how many were failed."""
    cutoff = now - datetime.timedelta(seconds=timeout_seconds)
    stuck = OutboundMessage.select(OutboundMessage.salon).distinct().where(
        (OutboundMessage.status == SENDING) & (OutboundMessage.claimed_at < cutoff))
    if salon_id is not None:
        stuck = stuck.where(OutboundMessage.salon == salon_id)
    failed = 0
    for row in list(stuck):
        for channel, transport in transports.items():
            condition = ((OutboundMessage.salon == row.salon_id) & (OutboundMessage.status == SENDING)
                         & (OutboundMessage.claimed_at < cutoff) & (OutboundMessage.channel == channel))
            if transport.resumable:
                OutboundMessage.update(status=QUEUED, claimed_at=None, error="resumed after an interrupted send").where(
                    condition).execute()
            else:
                failed += OutboundMessage.update(status=FAILED, error=INTERRUPTED).where(condition).execute()
    return failed


def deliver_due(config, *, at=None, salon_id=None, transports=None, limit=None):
    """Send every message due (at `at`, else the clock as it runs); return counts per outcome."""
    transports = transports or transports_from_config(config)
    counts = {SENT: 0, FAILED: 0, DEFERRED: 0, SKIPPED: 0, QUEUED: 0}
    clock = (lambda: at) if at is not None else utcnow
    recover_interrupted(clock(), config.get("MESSAGE_SENDING_TIMEOUT", 600), transports, salon_id)
    try:
        for due_salon in salons_with_due_messages(clock(), salon_id):
            salon = Salon.get_by_id(due_salon)
            settings = settings_for(salon)
            while limit is None or sum(counts.values()) < limit:
                now = clock()
                message_id = claim_next(salon.id, now)
                if message_id is None:
                    break
                outcome = send_claimed(salon, settings, message_id, transports, config, now)
                counts[outcome] += 1
    finally:
        for transport in transports.values():
            transport.close()
    return counts


def _finish(message, **changes):
    """Move a claimed (sending) message on; False when it was no longer ours."""
    return OutboundMessage.update(**changes).where(
        (OutboundMessage.salon == message.salon_id) & (OutboundMessage.id == message.id)
        & (OutboundMessage.status == SENDING)).execute() == 1


def send_claimed(salon, settings, message_id, transports, config, now):
    """Check the rules on a claimed message, send it or put it back; return the outcome status."""
    message = OutboundMessage.get_in_salon(salon, message_id)
    try:
        customer = SalonCustomer.get_in_salon(salon, message.customer_id)
    except NotInSalon:
        _finish(message, status=SKIPPED, error="customer deleted")
        return SKIPPED
    reason = refusal(customer, message.channel, message.purpose)
    if reason:
        _finish(message, status=SKIPPED, error=reason)
        return SKIPPED
    until = quiet_until(now, salon.timezone, settings)
    if until is not None:
        _finish(message, status=DEFERRED, send_after=until, claimed_at=None, error="quiet hours")
        return DEFERRED
    if message.purpose in MARKETING and is_capped(salon, customer, settings, now, exclude=message.id):
        _finish(message, status=SKIPPED, error=CAPPED)
        return SKIPPED
    if message.purpose in MARKETING:
        message.unsubscribe_url = links.unsubscribe_url(config.get("PUBLIC_BASE_URL", ""), config["SECRET_KEY"],
                                                        salon.id, customer.id)
    transport = transports[message.channel]
    committed = []

    @contextlib.contextmanager
    def commit(reference):
        with db.atomic():
            communication = _record(salon, customer, message, "sent", transport.name, reference, now)
            yield
        committed.append(communication)

    try:
        transport.send(message, commit)
    except TransportError as error:
        if committed:  # the server refused after our point of no return: recorded as sent, now failed
            _fail_after_commit(salon, message, committed[0], str(error)[:300])
            return FAILED
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            _record(salon, customer, message, "failed", transport.name, None, now, error=str(error)[:300])
            return FAILED
        retry_at = now + datetime.timedelta(minutes=5 * message.attempts)
        _finish(message, status=QUEUED, send_after=retry_at, claimed_at=None, error=str(error)[:300])
        return QUEUED
    return SENT


def _record(salon, customer, message, status, transport_name, reference, now, error=""):
    """Mark the message sent or failed and write it into the customer's communication history (one transaction)."""
    with db.atomic():
        communication = CustomerCommunication.create(
            salon=salon, customer=customer, type=message.channel, purpose=PURPOSES[message.purpose], status=status,
            subject=message.subject, message=message.body, recipient=message.recipient, sent_by=message.sent_by_user_id,
            metadata={"outbound_message_id": message.id, "source": message.source, "transport": transport_name,
                      "provider_ref": reference, **({"error": error} if error else {})},
            created_at=now, status_updated_at=now, direction="outbound")
        _finish(message, status=SENT if status == "sent" else FAILED, sent_at=now if status == "sent" else None,
                provider_ref=reference, communication=communication, error=error)
    return communication


def _fail_after_commit(salon, message, communication, error):
    with db.atomic():
        OutboundMessage.update(status=FAILED, error=error).where(
            (OutboundMessage.salon == salon) & (OutboundMessage.id == message.id)).execute()
        CustomerCommunication.update(status="failed", status_updated_at=utcnow()).where(
            (CustomerCommunication.salon == salon) & (CustomerCommunication.id == communication.id)).execute()


def record_delivery_report(provider_ref, provider_status, now=None):
    """Move the message's history row forward on a delivery report (delivered, failed); return the message or None."""
    from salon_web.services.communications import StatusRefused, change_status

    new_status = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}.get(provider_status)
    message = OutboundMessage.select(OutboundMessage.salon, OutboundMessage.id, OutboundMessage.communication).where(
        OutboundMessage.provider_ref == provider_ref).first()
    if message is None or new_status is None or message.communication_id is None:
        return message
    salon = Salon.get_by_id(message.salon_id)
    communication = CustomerCommunication.get_in_salon(salon, message.communication_id)
    try:
        change_status(salon, communication, new_status)
    except StatusRefused:  # a late or repeated report never moves a status back
        pass
    return message


def outbox(salon, *, status=None, before_id=None, limit=50):
    """Return the salon's latest outbound messages (newest first), with the customer's name."""
    query = (OutboundMessage.in_salon(salon, OutboundMessage, SalonCustomer.full_name)
             .join(SalonCustomer, on=(OutboundMessage.customer == SalonCustomer.id))
             .where(SalonCustomer.salon == salon))
    if status:
        query = query.where(OutboundMessage.status == status)
    if before_id:
        query = query.where(OutboundMessage.id < before_id)
    return list(query.order_by(OutboundMessage.id.desc()).limit(limit).objects())


def outbox_of(salon, customer, limit=10):
    """Return the customer's latest outbound messages (queued, deferred, sent...), newest first."""
    return list(OutboundMessage.in_salon(salon).where(OutboundMessage.customer == customer)
                .order_by(OutboundMessage.id.desc()).limit(limit))


def status_counts(salon, **conditions):
    """Return {status: count} of the salon's outbound messages (optionally of one campaign)."""
    from peewee import fn

    query = OutboundMessage.in_salon(salon, OutboundMessage.status, fn.COUNT(OutboundMessage.id))
    if "campaign" in conditions:
        query = query.where(OutboundMessage.campaign == conditions["campaign"])
    return dict(query.group_by(OutboundMessage.status).tuples())

