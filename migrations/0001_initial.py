"""Initial schema: every table of DESIGN.md, frozen here independently of the app models.

Money columns are BIGINT minor units; timestamps are naive UTC."""
from peewee import *


def up(migrator, db):
    class User(Model):
        email = CharField(unique=True, max_length=254)
        name = CharField(max_length=200)
        password_hash = CharField()
        is_admin = BooleanField(default=False)
        is_active = BooleanField(default=True)
        session_version = IntegerField(default=1)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class ApiToken(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField(max_length=100)
        token_hash = CharField(unique=True, max_length=128)
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
    db.create_tables([ApiToken])

    class Salon(Model):
        name = CharField(max_length=200)
        slug = CharField(unique=True, max_length=100)
        country = CharField(max_length=2)
        timezone = CharField(max_length=64)
        currency = CharField(max_length=3)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'salon'
    db.create_tables([Salon])

    class Customer(Model):
        phone_e164 = CharField(unique=True, null=True, max_length=20)
        email = CharField(index=True, null=True, max_length=254)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class SalonCustomer(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        identity = ForeignKeyField(Customer, column_name='customer_id')
        full_name = CharField(max_length=200)
        name_search = CharField(max_length=200)
        phone = CharField(null=True, max_length=40)
        phone_e164 = CharField(null=True, max_length=20)
        email = CharField(null=True, max_length=254)
        birthday = DateField(null=True)
        visit_count = IntegerField(default=0)
        total_spent = BigIntegerField(default=0)
        first_visit_at = DateTimeField(null=True)
        last_visit_at = DateTimeField(null=True)
        notes = TextField(default='')
        preferences = JSONField(default=dict)
        follow_up_on = DateField(null=True)
        communication_preferences = JSONField(default=list)
        marketing_consent_at = DateTimeField(null=True)
        marketing_consent_withdrawn_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'salon_customer'
            indexes = ((('salon', 'identity'), True), (('salon', 'phone_e164'), False), (('salon', 'email'), False), (('salon', 'last_visit_at', 'id'), False), (('salon', 'total_spent', 'id'), False), (('salon', 'visit_count', 'id'), False), (('salon', 'name_search', 'id'), False), (('salon', 'follow_up_on'), False))
    db.create_tables([SalonCustomer])

    class Appointment(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer)
        employee = ForeignKeyField(User, null=True, column_name='employee_user_id', on_delete='SET NULL')
        service_name = CharField(max_length=200)
        price = BigIntegerField(default=0)
        scheduled_at = DateTimeField()
        duration_minutes = IntegerField(default=60)
        status = CharField(max_length=20, default='scheduled')
        completed_at = DateTimeField(null=True)
        status_updated_at = DateTimeField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'appointment'
            indexes = ((('salon', 'scheduled_at'), False), (('customer', 'scheduled_at'), False))
    db.create_tables([Appointment])

    class AuditEvent(Model):
        salon = ForeignKeyField(Salon, null=True, on_delete='SET NULL')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(max_length=64)
        object_type = CharField(null=True, max_length=64)
        object_id = CharField(null=True, max_length=64)
        ip = CharField(null=True, max_length=64)
        at = DateTimeField()
        detail = JSONField(default=dict)
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('salon', 'at'), False), (('action', 'at'), False), (('salon', 'object_type', 'object_id', 'at'), False))
    db.create_tables([AuditEvent])

    class CustomerCommunication(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer)
        type = CharField(max_length=20)
        purpose = CharField(max_length=40)
        status = CharField(max_length=20, default='pending')
        subject = CharField(max_length=200, default='')
        message = TextField(default='')
        recipient = CharField(max_length=254, default='')
        metadata = JSONField(default=dict)
        sent_by = ForeignKeyField(User, null=True, column_name='sent_by_user_id', on_delete='SET NULL')
        created_at = DateTimeField()
        status_updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer_communication'
            indexes = ((('customer', 'created_at'), False), (('salon', 'created_at'), False))
    db.create_tables([CustomerCommunication])

    class Tag(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        name = CharField(max_length=50)
        class Meta:
            database = db
            table_name = 'tag'
            indexes = ((('salon', 'name'), True),)
    db.create_tables([Tag])

    class CustomerTag(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer, on_delete='CASCADE')
        tag = ForeignKeyField(Tag, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'customer_tag'
            indexes = ((('customer', 'tag'), True), (('salon', 'tag', 'customer'), False))
    db.create_tables([CustomerTag])

    class LoginFailure(Model):
        email = CharField(index=True, max_length=254)
        ip = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])

    class Membership(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=20)
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('salon', 'user'), True),)
    db.create_tables([Membership])

    class Sale(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer, null=True)
        appointment = ForeignKeyField(Appointment, null=True)
        total = BigIntegerField()
        status = CharField(max_length=20, default='completed')
        sold_at = DateTimeField()
        idempotency_key = CharField(null=True, max_length=64)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        voided_at = DateTimeField(null=True)
        voided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        void_reason = TextField(null=True)
        class Meta:
            database = db
            table_name = 'sale'
            indexes = ((('salon', 'idempotency_key'), True), (('salon', 'sold_at'), False), (('customer', 'sold_at'), False))
    db.create_tables([Sale])

    class SaleItem(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        sale = ForeignKeyField(Sale, on_delete='CASCADE')
        description = CharField(max_length=200)
        quantity = IntegerField(default=1)
        unit_price = BigIntegerField()
        class Meta:
            database = db
            table_name = 'sale_item'
    db.create_tables([SaleItem])

    class SavedSegment(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        name = CharField(max_length=100)
        query = TextField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'saved_segment'
            indexes = ((('salon', 'name'), True),)
    db.create_tables([SavedSegment])

    class Visit(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer = ForeignKeyField(SalonCustomer)
        occurred_at = DateTimeField()
        amount = BigIntegerField(default=0)
        source_type = CharField(max_length=20)
        source_id = IntegerField()
        class Meta:
            database = db
            table_name = 'visit'
            indexes = ((('source_type', 'source_id'), True), (('customer', 'occurred_at'), False), (('salon', 'occurred_at'), False))
    db.create_tables([Visit])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('visit'))
    migrator.migrate(migrator.drop_table('saved_segment'))
    migrator.migrate(migrator.drop_table('sale_item'))
    migrator.migrate(migrator.drop_table('sale'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('customer_tag'))
    migrator.migrate(migrator.drop_table('tag'))
    migrator.migrate(migrator.drop_table('customer_communication'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('appointment'))
    migrator.migrate(migrator.drop_table('salon_customer'))
    migrator.migrate(migrator.drop_table('customer'))
    migrator.migrate(migrator.drop_table('salon'))
    migrator.migrate(migrator.drop_table('api_token'))
    migrator.migrate(migrator.drop_table('user'))
