"""Client-book imports (issue 13): the salon's remembered mapping, each import and its rows."""
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

    class CustomerImportMapping(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE', unique=True)
        mapping = JSONField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer_import_mapping'

    class CustomerImport(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        file_name = CharField(max_length=255)
        file_format = CharField(max_length=8)
        headers = JSONField()
        mapping = JSONField()
        status = CharField(max_length=16)
        total_rows = IntegerField(default=0)
        processed_rows = IntegerField(default=0)
        counts = JSONField()
        error = TextField(default='')
        created_at = DateTimeField()
        applied_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        undone_at = DateTimeField(null=True)
        undo_report = JSONField()
        class Meta:
            database = db
            table_name = 'customer_import'
            indexes = ((('salon', 'created_at'), False),)

    class CustomerImportRow(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        customer_import = ForeignKeyField(CustomerImport, on_delete='CASCADE')
        row_number = IntegerField()
        cells = JSONField()
        action = CharField(max_length=12, null=True)
        reason = TextField(default='')
        customer_id = IntegerField(null=True)
        before = JSONField(null=True)
        version_after = IntegerField(null=True)
        tags_added = JSONField()
        class Meta:
            database = db
            table_name = 'customer_import_row'
            indexes = ((('customer_import', 'row_number'), True), (('salon', 'customer_import', 'action'), False))

    db.create_tables([CustomerImportMapping, CustomerImport, CustomerImportRow])


def down(migrator, db):
    for table in ('customer_import_row', 'customer_import', 'customer_import_mapping'):
        migrator.migrate(migrator.drop_table(table))
