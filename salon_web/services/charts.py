"""Bar charts drawn on the server as accessible SVG: no JavaScript, no inline styles (our CSP forbids them).

Each chart is role="img" with a <title> and <desc>; every bar carries its value as text and as a
<title> tooltip, so screen readers and printouts get the numbers. Colours come from classes in app.css.
"""
import itertools

from markupsafe import Markup, escape

from salon_web.services import formats
from salon_web.services.money import to_major
from salon_web.texts import _l

WIDTH = 720
HEIGHT = 260
TOP = 34  # room for the legend and value labels
BOTTOM = 28  # room for the month labels
SIDE = 8
_ids = itertools.count(1)


def bar_chart(title, description, labels, values, *, format_value=str, css="chart__bar--1"):
    """Return an SVG bar chart of one series."""
    return stacked_bar_chart(title, description, labels, [(title, values, css)], format_value=format_value)


def stacked_bar_chart(title, description, labels, series, *, format_value=str):
    """Return an SVG chart of bars stacked from `series`: a list of (name, values, css class)."""
    chart_id = f"chart-{next(_ids)}"
    totals = [sum(values[i] for _, values, _ in series) for i in range(len(labels))]
    highest = max(totals, default=0) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / max(len(labels), 1)
    bar_width = slot * 0.7
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if len(series) > 1:
        x = SIDE
        for name, _, css in series:
            parts.append(f'<rect class="{css}" x="{x}" y="4" width="12" height="12"/>')
            parts.append(f'<text class="chart__legend" x="{x + 18}" y="15">{escape(name)}</text>')
            x += 30 + 8 * len(name)
    baseline = HEIGHT - BOTTOM
    parts.append(f'<line class="chart__axis" x1="{SIDE}" y1="{baseline}" x2="{WIDTH - SIDE}" y2="{baseline}"/>')
    for index, label in enumerate(labels):
        x = SIDE + index * slot + (slot - bar_width) / 2
        details = "; ".join(f"{name} {format_value(values[index])}" for name, values, _ in series)
        parts.append(f"<g><title>{escape(label)}: {escape(details)}</title>")
        top = baseline
        for _, values, css in series:
            height = plot_height * values[index] / highest
            top -= height
            if height > 0:
                parts.append(
                    f'<rect class="{css}" x="{x:.1f}" y="{top:.1f}" width="{bar_width:.1f}" height="{height:.1f}"/>'
                )
        middle = x + bar_width / 2
        parts.append(
            f'<text class="chart__value" x="{middle:.1f}" y="{top - 4:.1f}" text-anchor="middle">'
            f"{escape(format_value(totals[index]))}</text>"
        )
        parts.append(
            f'<text class="chart__label" x="{middle:.1f}" y="{baseline + 18}" text-anchor="middle">{escape(label)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_charts(salon, months, language="en"):
    """Return the analytics page's three monthly charts (visits, new and returning customers, revenue) as SVG."""
    labels = [formats.day(row["month"], "month", language) for row in months]
    span = str(_l("%(first)s to %(last)s", first=labels[0], last=labels[-1])) if labels else ""
    return {
        "visits": bar_chart(
            str(_l("Visits per month")), str(_l("Visits each month, %(span)s, in the salon's time zone.", span=span)),
            labels, [row["visits"] for row in months], format_value=compact,
        ),
        "customers": stacked_bar_chart(
            str(_l("New and returning customers per month")),
            str(_l("Customers who came each month, %(span)s: new (first visit that month) and returning.", span=span)),
            labels,
            [(str(_l("New")), [row["new"] for row in months], "chart__bar--2"),
             (str(_l("Returning")), [row["returning"] for row in months], "chart__bar--1")],
            format_value=compact,
        ),
        "revenue": bar_chart(
            str(_l("Revenue per month (%(currency)s)", currency=salon.currency)),
            str(_l("Revenue of visits each month in %(currency)s, %(span)s; voided sales excluded.",
                   currency=salon.currency, span=span)),
            labels, [int(to_major(row["revenue"], salon.currency)) for row in months],
            format_value=compact, css="chart__bar--3",
        ),
    }


def compact(number):
    """Return a short label for a chart bar: 950, 12.5k, 3.4M."""
    number = int(number)
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)
