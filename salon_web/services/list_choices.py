"""What the customer list offers beside its rows: the salon's tag names, services and saved segments, in one statement.

The full list page shows all three (the tag filter, the service filter, the segment links). Each used to be a query
of its own, composed by peewee on every page: one fixed UNION ALL is one round trip and no composing.
"""
import dataclasses

from salon_web import prepared_sql

Service = dataclasses.make_dataclass("ServiceChoice", ["id", "name", "active"])
Segment = dataclasses.make_dataclass("SegmentChoice", ["id", "name", "query"])

# kind, two sort keys, then the fields: 1 tag (name), 2 service (id, name, active), 3 segment (id, name, query).
_CHOICES_SQL = """
    SELECT 1, name, '', 0, name, 0, '' FROM tag WHERE salon_id = ?
    UNION ALL
    SELECT 2, category, name_key, id, name, CASE WHEN active THEN 1 ELSE 0 END, '' FROM service WHERE salon_id = ?
    UNION ALL
    SELECT 3, name, '', id, name, 0, query FROM saved_segment WHERE salon_id = ?
    ORDER BY 1, 2, 3, 4
"""


@dataclasses.dataclass(frozen=True)
class ListChoices:
    tags: list  # names, alphabetically
    services: list  # ServiceChoice by category, then name (the menu's order)
    segments: list  # SegmentChoice by name


def list_choices(salon):
    """Return the salon's ListChoices."""
    tags, services, segments = [], [], []
    for kind, _, _, row_id, name, active, query in prepared_sql.execute(_CHOICES_SQL, [salon.id] * 3):
        if kind == 1:
            tags.append(name)
        elif kind == 2:
            services.append(Service(row_id, name, bool(active)))
        else:
            segments.append(Segment(row_id, name, query))
    return ListChoices(tags, services, segments)
