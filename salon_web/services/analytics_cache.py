"""Figures of months that are over, computed once per process and kept until the ledger changes in the past.

A month that has ended changes only when a visit in it (or before it, which can move a customer's
first visit) is added, re-amounted or removed: a back-dated sale, a void, a late completion, a
repair. Those are rare, so the analytics page keeps the charts' and cohorts' settled months in
memory and reads only the current month from the ledger.

Correctness rests on two rules:
- Every writer of the ledger calls `ledger_changed(salon_id, occurred_at)` in its transaction. It
  bumps the salon's `ledger_epoch` row only when the visit is more than `LATE` old; newer visits
  never fall in a cached month, because only months that ended at least `SETTLED` ago are cached.
- A reader reads the epoch *before* it reads the visits and keeps its cells with that epoch.
  A concurrent late change then either committed before the visits were read (and is in the cells)
  or moves the epoch on when it commits (and the cells are never used again). No lock is needed,
  and a reader never writes (DESIGN.md: a GET never writes). `SETTLED` exceeds `LATE` by a day, so
  a transaction would have to stay open for a day to slip between the two.
Where the cells come from, fastest first: this process's memory; the `analytics_cell` table, which the
background job `refresh_settled_analytics` (salon_web/jobs.py, every minute) fills for every salon whose
stored cells are missing, for another key (a month has settled) or for an older epoch; else the ledger,
read by the request itself without writing anything (a GET never writes), until the job has caught up.
The job follows the same rule as a reader: it reads the epoch before the visits and stores both, so a late
change that commits while it computes leaves the row stale, never wrong. Reading the table costs one
statement per page (the epoch with it), so the first request of a new worker needs no ledger pass.
"""
import collections
import datetime
import json
import random
import threading

from salon_web import sql_dialect
from salon_web.models import AnalyticsCell, LedgerEpoch, utcnow

LATE = datetime.timedelta(days=1)
SETTLED = datetime.timedelta(days=2)
MAX_ENTRIES = 1_000  # a few kB each; the least recently used go first

_cells = collections.OrderedDict()  # (salon id, key) -> (epoch, cells)
_lock = threading.Lock()


def ledger_changed(salon_id, *occurred_at):
    """Mark the salon's cached months stale if a visit at any of these moments may lie in one."""
    if min(occurred_at) >= utcnow() - LATE:
        return  # the till sale of the day: no cached month can contain it
    forget(salon_id)


def forget(salon_id=None):
    """Mark what is cached for the salon (or for every salon) stale, in every process."""
    if salon_id is None:
        LedgerEpoch.update(epoch=LedgerEpoch.epoch + 1).execute()
        return
    # A salon's first row starts at a random epoch, so cells kept for an earlier salon with the same id
    # (a database rebuilt under a running process) can never match it.
    (LedgerEpoch.insert(salon=salon_id, epoch=random.getrandbits(62))
     .on_conflict(conflict_target=[LedgerEpoch.salon], update={LedgerEpoch.epoch: LedgerEpoch.epoch + 1})
     .execute())


def settled_bound(bounds, now=None):
    """Return the latest of `bounds` (ascending naive-UTC instants) that ended `SETTLED` ago, or None.

    Only bounds after the first count: the months before the returned one are the cacheable part.
    """
    limit = (now or utcnow()) - SETTLED
    settled = [bound for bound in bounds[1:] if bound <= limit]
    return settled[-1] if settled else None


def cached_cells(salon, key, compute):
    """Return compute()'s value for `key`: kept by this process, stored by the job, or computed now (no write)."""
    epoch, stored_key, stored_epoch, stored = stored_row(salon.id, _name(key))  # the epoch before compute()
    slot = (salon.id, f"{salon.created_at}:{key}")
    with _lock:
        kept = _cells.get(slot)
        if kept is not None and kept[0] == epoch:
            _cells.move_to_end(slot)
            return kept[1]
    if stored is not None and stored_key == key and stored_epoch == epoch:
        cells = json.loads(stored)
    else:
        cells = compute()
    with _lock:
        _cells[slot] = (epoch, cells)
        _cells.move_to_end(slot)
        while len(_cells) > MAX_ENTRIES:
            _cells.popitem(last=False)
    return cells


def _name(key):
    return key.partition(":")[0]


def stored_row(salon_id, name):
    """Return (the salon's epoch, stored key, stored epoch, stored JSON) in one statement; None where absent."""
    return sql_dialect.execute(
        """
        SELECT e.epoch, c.key, c.epoch, c.cells
        FROM salon s
        LEFT JOIN ledger_epoch e ON e.salon_id = s.id
        LEFT JOIN analytics_cell c ON c.salon_id = s.id AND c.name = ?
        WHERE s.id = ?
        """,
        [name, salon_id],
    ).fetchone() or (None, None, None, None)


def current_epoch(salon_id):
    """Return the salon's ledger epoch (None before its first late change): read it before the visits."""
    return LedgerEpoch.select(LedgerEpoch.epoch).where(LedgerEpoch.salon == salon_id).scalar()


def stored_states(name):
    """Return {salon id: (epoch, stored key, stored epoch)} of every salon for the cells called `name`."""
    rows = sql_dialect.execute(
        """
        SELECT s.id, e.epoch, c.key, c.epoch
        FROM salon s
        LEFT JOIN ledger_epoch e ON e.salon_id = s.id
        LEFT JOIN analytics_cell c ON c.salon_id = s.id AND c.name = ?
        """,
        [name],
    ).fetchall()
    return {salon_id: (epoch, key, stored_epoch) for salon_id, epoch, key, stored_epoch in rows}


def store(salon_id, key, epoch, cells):
    """Keep `cells` (JSON-able) for `key` as computed under `epoch`, for every process (background jobs only)."""
    fields = {"key": key, "epoch": epoch, "cells": json.dumps(cells, separators=(",", ":")), "computed_at": utcnow()}
    (AnalyticsCell.insert(salon=salon_id, name=_name(key), **fields)
     .on_conflict(conflict_target=[AnalyticsCell.salon, AnalyticsCell.name],
                  update={getattr(AnalyticsCell, field): value for field, value in fields.items()})
     .execute())


def clear():
    """Drop every kept value of this process (tests start from a fresh database)."""
    with _lock:
        _cells.clear()
