"""Issue 15, the service menu: a `service` table per salon; appointments and sale lines may name one."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class Service(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        name = CharField(max_length=100)
        name_key = CharField(max_length=100)
        category = CharField(max_length=60, default='')
        duration_minutes = IntegerField(default=60)
        price = BigIntegerField(default=0)
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'service'
            indexes = ((('salon', 'name_key'), True),)

    db.create_tables([Service])
    migrator.migrate(
        migrator.add_column('appointment', 'service_id',
                            ForeignKeyField(Service, null=True, field=Service.id, on_delete='SET NULL')),
        migrator.add_column('sale_item', 'service_id',
                            ForeignKeyField(Service, null=True, field=Service.id, on_delete='SET NULL')),
        migrator.add_index('appointment', ('salon_id', 'service_id', 'scheduled_at'), False),
        migrator.add_index('sale_item', ('salon_id', 'service_id'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('sale_item', 'sale_item_salon_id_service_id'),
        migrator.drop_index('appointment', 'appointment_salon_id_service_id_scheduled_at'),
        migrator.drop_column('sale_item', 'service_id'),
        migrator.drop_column('appointment', 'service_id'),
        migrator.drop_table('service'),
    )
