"""The audit trail: one row per login, denied access, export or edit."""
from salon_web.models import AuditEvent


def record(action, *, salon=None, user=None, object_type=None, object_id=None, ip=None, detail=None):
    """Write one audit event and return it."""
    return AuditEvent.create(
        salon=salon,
        user=user,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        detail=detail or {},
    )
