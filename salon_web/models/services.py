"""The salon's service menu (issue 15): what the front desk books and sells, picked by name, free text still allowed."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from salon_web.models.base import MoneyField, TenantModel, UTCDateTimeField, utcnow
from salon_web.models.salons import Salon


class Service(TenantModel):
    salon = ForeignKeyField(Salon, backref="services", on_delete="CASCADE", index=False)
    name = CharField(max_length=100)
    name_key = CharField(max_length=100)  # the name folded (services/text.fold): one service per name per salon
    category = CharField(max_length=60, default="")
    duration_minutes = IntegerField(default=60)
    price = MoneyField(default=0)
    active = BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "service"
        indexes = ((("salon", "name_key"), True),)
