"""The settled part of the figures that move with every visit: stored by the job once a day, plus a live delta.

The headline, the segments, second-visit conversion and the period summary change with each visit, so they
cannot be kept like the month grid's settled months. But every visit before the salon's *cut* (the start of
its local day, less `analytics_cache.LATE` and `MARGIN`) is settled: the visit hook bumps the ledger epoch for
any change to a visit more than `LATE` old, and the cut is older than that all day long. (A writer that checked
"late" before the margin and committed after the job read the day would slip through: its transaction would
have to stay open for `MARGIN` across the salon's midnight.) So each figure splits into
- a settled part, computed from the visits before the cut: the job `refresh_settled_analytics` stores it in
  `analytics_cell` under the name "day-parts", keyed by the salon's zone, local day and cut, with the epoch it
  read before the visits (analytics_cache's rule);
- a live delta over the few customers whose last visit is at or after the cut (those who came in the last
  day or two), read by the request.
A request uses the stored part only if its key is today's and its epoch is the salon's; it reads the epoch
again after its own statements, so a late change that commits meanwhile sends it to the full computation
from the ledger, which is also what it does (writing nothing: a GET never writes) when nothing is stored.
"""
import datetime
import json

from salon_web.services import analytics_cache
from salon_web.services.analytics.reports import day_start

NAME = "day-parts"
MARGIN = datetime.timedelta(hours=1)


def cut(today, timezone):
    """Naive UTC before which every visit is settled all through the local day `today`."""
    return day_start(today, timezone) - analytics_cache.LATE - MARGIN


def key(today, timezone):
    """The stored parts' key: what they were computed for."""
    return f"{NAME}:{timezone}:{today}:{cut(today, timezone):%Y-%m-%dT%H:%M}"


def read(salon, today):
    """Return (the stored parts of `today`, the epoch they hold) when usable, else (None, None)."""
    epoch, stored_key, stored_epoch, stored = analytics_cache.stored_row(salon.id, NAME)
    if stored is None or stored_key != key(today, salon.timezone) or stored_epoch != epoch:
        return None, None
    return json.loads(stored), epoch


def with_stored(salon, today, part, combine, compute):
    """Return combine(stored part, cut) while the stored parts are usable from start to end, else compute()."""
    parts, epoch = read(salon, today)
    if parts is None or part not in parts:
        return compute()
    found = combine(parts[part], cut(today, salon.timezone))
    if found is None or analytics_cache.current_epoch(salon.id) != epoch:  # a late change committed meanwhile
        return compute()
    return found
