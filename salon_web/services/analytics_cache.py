"""Figures of months that are over, computed once and kept until the ledger changes in the past.

A month that has ended changes only when a visit in it (or before it, which can move a customer's
first visit) is added, re-amounted or removed: a back-dated sale, a void, a late completion. Those
are rare, so the analytics page keeps the charts' and cohorts' settled months per salon and
computes only the current month live.

Correctness rests on two rules:
- Every writer of the ledger calls `ledger_changed(salon_id, occurred_at)` in its transaction. It
  bumps the salon's ledger_epoch only when the visit is more than `LATE` old; newer visits never
  fall in a cached month, because only months that ended at least `SETTLED` ago are cached.
- A reader reads ledger_epoch *before* it reads the visits and stores its cells with that epoch.
  A concurrent late change then either committed before the visits were read (and is in the cells)
  or bumps the epoch afterwards (and the cells are never used). No lock is needed.
  `SETTLED` exceeds `LATE` by a day, so an in-flight transaction would need a day to slip through.
"""
import datetime
import json

from salon_web.models import AnalyticsSnapshot, utcnow

LATE = datetime.timedelta(days=1)
SETTLED = datetime.timedelta(days=2)


def ledger_changed(salon_id, *occurred_at):
    """Mark the salon's cached months stale if a visit at any of these moments may lie in one."""
    if min(occurred_at) >= utcnow() - LATE:
        return  # the till sale of the day: no cached month can contain it
    forget(salon_id)


def forget(salon_id=None):
    """Mark what is cached for the salon (or for every salon) stale: late changes, repairs, imports."""
    if salon_id is None:
        AnalyticsSnapshot.update(ledger_epoch=AnalyticsSnapshot.ledger_epoch + 1).execute()
        return
    (AnalyticsSnapshot.insert(salon=salon_id, ledger_epoch=1)
     .on_conflict(conflict_target=[AnalyticsSnapshot.salon],
                  update={AnalyticsSnapshot.ledger_epoch: AnalyticsSnapshot.ledger_epoch + 1})
     .execute())


def settled_bound(bounds, now=None):
    """Return the latest of `bounds` (ascending naive-UTC instants) that ended `SETTLED` ago, or None.

    Only bounds after the first count: the months before the returned one are the cacheable part.
    """
    limit = (now or utcnow()) - SETTLED
    settled = [bound for bound in bounds[1:] if bound <= limit]
    return settled[-1] if settled else None


def cached_cells(salon_id, key, compute):
    """Return compute()'s list of JSON-able rows for `key`, from the cache when the ledger has not changed since."""
    row = (AnalyticsSnapshot.select(AnalyticsSnapshot.ledger_epoch, AnalyticsSnapshot.key,
                                    AnalyticsSnapshot.cells_epoch, AnalyticsSnapshot.cells)
           .where(AnalyticsSnapshot.salon == salon_id).first())
    epoch = row.ledger_epoch if row else 0  # read before compute() reads the visits (module docstring)
    if row and row.key == key and row.cells_epoch == epoch:
        return json.loads(row.cells)
    cells = compute()
    (AnalyticsSnapshot.insert(salon=salon_id, key=key, cells_epoch=epoch, cells=json.dumps(cells),
                              computed_at=utcnow())
     .on_conflict(conflict_target=[AnalyticsSnapshot.salon],
                  preserve=[AnalyticsSnapshot.key, AnalyticsSnapshot.cells_epoch, AnalyticsSnapshot.cells,
                            AnalyticsSnapshot.computed_at])
     .execute())
    return cells
