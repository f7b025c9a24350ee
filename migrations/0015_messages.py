"""Messages that are really sent: outbound_message (one row per intended message), templates, settings, campaigns,
feedback."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class SalonCustomer(Model):
        class Meta:
            database = db
            table_name = 'salon_customer'

    class Appointment(Model):
        class Meta:
            database = db
            table_name = 'appointment'

    class CustomerCommunication(Model):
        class Meta:
            database = db
            table_name = 'customer_communication'

    class MessageSettings(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE', unique=True)
        language = CharField(max_length=2, default='en')
        quiet_start = SmallIntegerField(default=21 * 60)
        quiet_end = SmallIntegerField(default=8 * 60)
        marketing_cap = SmallIntegerField(default=2)
        cap_days = SmallIntegerField(default=7)
        automations = JSONField(default=list)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'message_settings'

    class MessageTemplate(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        purpose = CharField(max_length=40)
        language = CharField(max_length=2)
        subject = CharField(max_length=200, default='')
        body = TextField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'message_template'
            indexes = ((('salon', 'purpose', 'language'), True),)

    class Campaign(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        name = CharField(max_length=100)
        query = TextField(default='')
        channel = CharField(max_length=10)
        language = CharField(max_length=2)
        subject = CharField(max_length=200, default='')
        body = TextField()
        status = CharField(max_length=20, default='draft')
        send_at = DateTimeField(null=True)
        queued_count = IntegerField(default=0)
        skipped = JSONField(default=dict)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'campaign'
            indexes = ((('salon', 'created_at'), False),)

    class OutboundMessage(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer, on_delete='CASCADE')
        source = CharField(max_length=60)
        occasion = CharField(max_length=60)
        purpose = CharField(max_length=40)
        channel = CharField(max_length=10)
        recipient = CharField(max_length=254)
        subject = CharField(max_length=200, default='')
        body = TextField()
        status = CharField(max_length=20, default='queued')
        send_after = DateTimeField()
        claimed_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        attempts = SmallIntegerField(default=0)
        error = CharField(max_length=300, default='')
        provider_ref = CharField(max_length=100, null=True)
        campaign = ForeignKeyField(Campaign, null=True, on_delete='SET NULL')
        communication = ForeignKeyField(CustomerCommunication, null=True, on_delete='SET NULL')
        sent_by = ForeignKeyField(User, column_name='sent_by_user_id', null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'outbound_message'
            indexes = (
                (('salon', 'source', 'customer', 'occasion'), True),
                (('status', 'send_after'), False),
                (('salon', 'created_at'), False),
                (('salon', 'customer', 'created_at'), False),
                (('salon', 'campaign', 'status'), False),
                (('provider_ref',), False),
            )

    class CustomerFeedback(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer, on_delete='CASCADE')
        appointment = ForeignKeyField(Appointment, null=True, on_delete='SET NULL')
        occasion = CharField(max_length=60)
        rating = SmallIntegerField()
        comment = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer_feedback'
            indexes = ((('salon', 'customer', 'occasion'), True), (('salon', 'created_at'), False))

    db.create_tables([MessageSettings, MessageTemplate, Campaign, OutboundMessage, CustomerFeedback])


def down(migrator, db):
    for table in ('customer_feedback', 'outbound_message', 'campaign', 'message_template', 'message_settings'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
