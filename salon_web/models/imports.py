"""Client-book imports: the remembered column mapping, each import, and its rows with what each row did."""
from peewee import CharField, ForeignKeyField, IntegerField, JSONField, TextField

from salon_web.models.base import TenantModel, UTCDateTimeField, utcnow
from salon_web.models.customers import SalonCustomer
from salon_web.models.salons import Salon
from salon_web.models.users import User

# An import's life: uploaded -> planning (dry run) -> previewed -> queued -> running -> done (or failed) -> undone.
UPLOADED, PLANNING, PREVIEWED, QUEUED, RUNNING, DONE, FAILED, UNDONE = (
    "uploaded", "planning", "previewed", "queued", "running", "done", "failed", "undone")
ACTIONS = ("create", "update", "unchanged", "skip", "error")


class CustomerImportMapping(TenantModel):
    """The salon's last choices: {folded header name: field}."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", unique=True)
    mapping = JSONField(default=dict)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "customer_import_mapping"


class CustomerImport(TenantModel):
    """One uploaded client book: its header, mapping, status, progress and counts."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    file_name = CharField(max_length=255)
    file_format = CharField(max_length=8)
    headers = JSONField(default=list)
    mapping = JSONField(default=list)  # one field (or "") per header
    status = CharField(max_length=16, default=UPLOADED)
    total_rows = IntegerField(default=0)
    processed_rows = IntegerField(default=0)
    counts = JSONField(default=dict)  # action -> rows
    error = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    applied_at = UTCDateTimeField(null=True)
    finished_at = UTCDateTimeField(null=True)
    undone_at = UTCDateTimeField(null=True)
    undo_report = JSONField(default=dict)

    class Meta:
        table_name = "customer_import"
        indexes = ((("salon", "created_at"), False),)


class CustomerImportRow(TenantModel):
    """One row of the file (its cells as text) and, once planned or applied, what it did and how to undo it."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer_import = ForeignKeyField(CustomerImport, backref="rows", on_delete="CASCADE", index=False)
    row_number = IntegerField()  # as a spreadsheet shows it: the header is row 1
    cells = JSONField(default=list)
    action = CharField(max_length=12, null=True)
    reason = TextField(default="")
    # The card it created or updated; kept as a plain id so an undo or a later deletion leaves the row.
    customer_id = IntegerField(null=True)
    before = JSONField(null=True)  # an update: the changed columns' values before it
    version_after = IntegerField(null=True)  # the card's version right after this import wrote it
    tags_added = JSONField(default=list)  # names of the tags this row attached

    class Meta:
        table_name = "customer_import_row"
        indexes = ((("customer_import", "row_number"), True), (("salon", "customer_import", "action"), False))
