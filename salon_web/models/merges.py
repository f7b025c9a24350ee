"""Merged duplicate cards, kept so a merge can be undone (services/merges.py)."""
from peewee import BigIntegerField, ForeignKeyField, IntegerField, JSONField

from salon_web.models.base import TenantModel, UTCDateTimeField, utcnow
from salon_web.models.salons import Salon
from salon_web.models.users import User


class CustomerMerge(TenantModel):
    """One merge: the survivor's card before it, the merged card as it was, and the id of every row moved."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    survivor_id = BigIntegerField()  # salon_customer ids; not foreign keys: the merged card no longer exists
    merged_id = BigIntegerField()
    survivor_before = JSONField(default=dict)
    merged_card = JSONField(default=dict)
    moved = JSONField(default=dict)  # {"sale": [ids], "appointment": [...], "communication": [...], "visit": [...], "tag": [...]}
    survivor_version = IntegerField()  # the survivor's version right after the merge: a later edit blocks undo
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    undone_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "customer_merge"
        indexes = ((("salon", "created_at"), False),)
