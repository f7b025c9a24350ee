"""RFM segments: every customer of the salon in exactly one, by recency (R) and visits (F).

Each rule is a peewee condition on salon_customer over named cut-offs, so the same rules count the
segments on their own or inside the headline's scan (services/analytics/figures.py).
"""
import dataclasses
import datetime

from peewee import Case, fn

from salon_web.models import SalonCustomer
from salon_web.services.analytics.reports import days_ago, report
from salon_web.services.clock import local_today
from salon_web.texts import _l

RECENT_DAYS = 30
CHURN_DAYS = 90
LOST_DAYS = 180

# Disjoint segments, checked in this order. `link` is the customer-list filter (DESIGN.md URL
# contract); `exact` says whether the list shows exactly the segment (the list has only minimum
# filters) or a wider set sorted so the segment comes first.
SEGMENTS = [
    {"key": "champions", "name": _l("Champions"), "rule": _l("5 or more visits, the last within 30 days"),
     "link": {"min_visits": 5, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "loyal", "name": _l("Loyal"), "rule": _l("3 or more visits, the last within 90 days (not champions)"),
     "link": {"min_visits": 3, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "new", "name": _l("New"), "rule": _l("1 visit, within the last 30 days"),
     "link": {"sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "promising", "name": _l("Promising"), "rule": _l("1 or 2 visits, the last within 90 days (not new)"),
     "link": {"min_visits": 1, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "at_risk", "name": _l("At risk"), "rule": _l("3 or more visits, none for more than 90 days"),
     "link": {"min_visits": 3, "days_since_last_visit": CHURN_DAYS + 1, "sort": "total_spent", "order": "desc"},
     "exact": True},
    {"key": "hibernating", "name": _l("Hibernating"), "rule": _l("1 or 2 visits, the last 91 to 180 days ago"),
     "link": {"min_visits": 1, "days_since_last_visit": CHURN_DAYS + 1, "sort": "visit_count", "order": "asc"},
     "exact": False},
    {"key": "lost", "name": _l("Lost"), "rule": _l("1 or 2 visits, none for more than 180 days"),
     "link": {"min_visits": 1, "days_since_last_visit": LOST_DAYS + 1, "sort": "visit_count", "order": "asc"},
     "exact": False},
    {"key": "never_came", "name": _l("Never came"), "rule": _l("no visit yet"),
     "link": {"sort": "visit_count", "order": "asc"}, "exact": False},
]


@dataclasses.dataclass(frozen=True)
class CutOffs:
    """Naive-UTC starts of the local days that the segment rules compare last visits with."""

    recent_since: datetime.datetime  # within the last 30 days from here on
    churn_since: datetime.datetime  # more than 90 days ago before this
    lost_since: datetime.datetime  # more than 180 days ago before this

    @classmethod
    def on(cls, today, timezone):
        """The cut-offs seen on local day `today`."""
        return cls(days_ago(today, RECENT_DAYS, timezone), days_ago(today, CHURN_DAYS, timezone),
                   days_ago(today, LOST_DAYS, timezone))


def rules(cutoffs):
    """Return {segment key: peewee condition on SalonCustomer} for the SEGMENTS."""
    visits, last = SalonCustomer.visit_count, SalonCustomer.last_visit_at
    champions = (visits >= 5) & (last >= cutoffs.recent_since)
    new = (visits == 1) & (last >= cutoffs.recent_since)
    few = visits.between(1, 2)
    return {
        "champions": champions,
        "loyal": (visits >= 3) & (last >= cutoffs.churn_since) & ~champions,
        "new": new,
        "promising": few & (last >= cutoffs.churn_since) & ~new,
        "at_risk": (visits >= 3) & (last < cutoffs.churn_since),
        "hibernating": few & (last < cutoffs.churn_since) & (last >= cutoffs.lost_since),
        "lost": few & (last < cutoffs.lost_since),
        "never_came": visits == 0,
    }


def segment_of(visits, last_visit_at, cutoffs):
    """The key of the segment of a customer with these figures: rules() in Python, for grouped counts."""
    if visits == 0:
        return "never_came"
    if visits >= 5 and last_visit_at >= cutoffs.recent_since:
        return "champions"
    if visits >= 3:
        return "loyal" if last_visit_at >= cutoffs.churn_since else "at_risk"
    if visits == 1 and last_visit_at >= cutoffs.recent_since:
        return "new"
    if last_visit_at >= cutoffs.churn_since:
        return "promising"
    return "hibernating" if last_visit_at >= cutoffs.lost_since else "lost"


def counters(cutoffs):
    """Select-list items counting each segment of SEGMENTS, in order."""
    conditions = rules(cutoffs)
    return [fn.SUM(Case(None, [(conditions[segment["key"]], 1)], 0)) for segment in SEGMENTS]


def with_counts(counts):
    """SEGMENTS, each with its `count`."""
    return [{**segment, "count": int(count or 0)} for segment, count in zip(SEGMENTS, counts)]


@report
def segments(salon, today=None):
    """Return SEGMENTS with their customer counts (one scan of salon_customer)."""
    today = today or local_today(salon.timezone)
    row = SalonCustomer.in_salon(salon, *counters(CutOffs.on(today, salon.timezone))).tuples().get()
    return with_counts(row)
