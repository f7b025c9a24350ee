"""Issue 15, the front desk: a sale's payment method, the salon's payment methods and no-show warning threshold,
and an index for counting no-shows and late cancellations per client."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('sale', 'payment_method', CharField(max_length=20, null=True)),
        migrator.add_column('salon', 'payment_methods', CharField(max_length=200, null=True)),
        migrator.add_column('salon', 'no_show_warning', IntegerField(default=2)),
        migrator.add_index('appointment', ('salon_id', 'status', 'customer_id'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('appointment', 'appointment_salon_id_status_customer_id'),
        migrator.drop_column('salon', 'no_show_warning'),
        migrator.drop_column('salon', 'payment_methods'),
        migrator.drop_column('sale', 'payment_method'),
    )
