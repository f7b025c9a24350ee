"""The audit trail: logins, denied access, exports, edits."""
from peewee import CharField, ForeignKeyField, JSONField

from salon_web.models.base import BaseModel, UTCDateTimeField, utcnow
from salon_web.models.salons import Salon
from salon_web.models.users import User


class AuditEvent(BaseModel):
    salon = ForeignKeyField(Salon, null=True, on_delete="SET NULL", index=False)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = CharField(max_length=64)  # e.g. login.ok, login.failed, access.denied, customer.export
    object_type = CharField(max_length=64, null=True)
    object_id = CharField(max_length=64, null=True)
    ip = CharField(max_length=64, null=True)
    at = UTCDateTimeField(default=utcnow)
    detail = JSONField(default=dict)

    class Meta:
        table_name = "audit_event"
        indexes = (
            (("salon", "at"), False),
            (("action", "at"), False),
            (("salon", "object_type", "object_id", "at"), False),
        )
