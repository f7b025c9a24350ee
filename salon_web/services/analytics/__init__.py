"""Customer analytics for one salon: every figure is an aggregate SQL query, never customers in Python.

Day and month boundaries are the salon's local calendar, turned into naive-UTC instants in Python
and passed as parameters, so the same SQL runs on SQLite and PostgreSQL, uses the (salon_id, ...)
indexes and is exact across daylight-saving changes. Money stays in integer minor units.

The modules, by reason to change:
- figures: the headline figures, top customers and first-to-second-visit conversion;
- periods: a chosen period of local days against the one before (visits, revenue, retention, rebooking);
- segments: the RFM segments and their rules;
- months: the month-by-month grid behind the charts and cohorts (settled months kept by analytics_cache);
- settled: the day's settled parts of the figures that move with every visit (stored by the job) plus a live delta;
- page: every figure of the analytics page and what the job stores for it; reports: what all of them share.

Definitions (printed on the page as well). "Days since" counts whole local calendar days:
- active: last visit within the last 30 days (on or after local day today-30);
- new: first visit within the last 30 days;
- churned: at least one visit, the last more than 90 days ago (before local day today-90);
- never came: customers with no visit (booked or created, never served): their own figure;
- average lifetime value / visit frequency: total spent / visits per customer who came at least once.
"""
from salon_web.services.analytics.reports import report_transaction  # noqa: F401  (services/reminders.py imports it from here)
