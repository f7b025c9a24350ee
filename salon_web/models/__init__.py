"""All models, in dependency order (ALL_MODELS is what migrations must produce)."""
from salon_web.models.analytics import AnalyticsCell, LedgerEpoch
from salon_web.models.api import ApiIdempotencyKey, ApiRateWindow
from salon_web.models.appointments import Appointment
from salon_web.models.audit import AuditEvent
from salon_web.models.base import BaseModel, NotInSalon, TenantModel, get_in, utcnow
from salon_web.models.communications import CustomerCommunication
from salon_web.models.messages import Campaign, CustomerFeedback, MessageSettings, MessageTemplate, OutboundMessage
from salon_web.models.customers import Customer, CustomerTag, SalonCustomer, SavedSegment, Tag
from salon_web.models.imports import CustomerImport, CustomerImportMapping, CustomerImportRow
from salon_web.models.merges import CustomerMerge
from salon_web.models.sales import Sale, SaleItem
from salon_web.models.salons import Salon
from salon_web.models.services import Service
from salon_web.models.users import ADMIN as ADMIN_ROLE
from salon_web.models.users import EMPLOYEE, MEMBERSHIP_ROLES, OWNER, ApiToken, LoginThrottle, Membership, User, UserSession
from salon_web.models.visits import Visit

ALL_MODELS = [
    Salon,
    User,
    Membership,
    UserSession,
    ApiToken,
    LoginThrottle,
    Customer,
    SalonCustomer,
    Tag,
    CustomerTag,
    SavedSegment,
    Service,  # issue 15: before the tables that refer to it
    Appointment,
    Sale,
    SaleItem,
    Visit,
    CustomerCommunication,
    AuditEvent,
    ApiRateWindow,
    ApiIdempotencyKey,
    LedgerEpoch,
    CustomerImportMapping,
    CustomerImport,
    CustomerImportRow,
    CustomerMerge,
    MessageSettings,
    MessageTemplate,
    Campaign,
    OutboundMessage,
    CustomerFeedback,
    AnalyticsCell,
]

__all__ = [m.__name__ for m in ALL_MODELS] + [
    "ALL_MODELS", "BaseModel", "TenantModel", "NotInSalon", "get_in", "utcnow",
    "ADMIN_ROLE", "OWNER", "EMPLOYEE", "MEMBERSHIP_ROLES",
]
