"""The base models, the tenant seam and field conventions shared by every table."""
import datetime

from peewee import BigIntegerField, DateTimeField, Model

from salon_web import one_trip
from salon_web.db import db, is_postgres
from salon_web.ids import in_range


def utcnow():
    """Naive UTC now: every timestamp column stores UTC without a zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


class NotInSalon(LookupError):
    """No such object in this salon: a URL answers 404, the API a problem 404, a reference in a body 422."""

    def __init__(self, model, object_id):
        super().__init__(f"{model.__name__} {object_id!r} is not in this salon")
        self.model = model
        self.object_id = object_id


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class TenantModel(BaseModel):
    """A table whose every row belongs to one salon: reach its rows only through `in_salon`.

    Subclasses declare their own `salon` foreign key (each with its backref).
    """

    @classmethod
    def in_salon(cls, salon, *fields):
        """Return a select of this salon's rows (all columns unless `fields` are named)."""
        return cls.select(*fields).where(cls.salon == salon)

    @classmethod
    def get_in_salon(cls, salon, object_id):
        """Return this salon's row with this id; raise NotInSalon (also for ids out of range). Fixed SQL."""
        _check_id(cls, object_id)
        found = rows_by_id(cls, getattr(salon, "id", salon), [object_id])
        if not found:
            raise NotInSalon(cls, object_id)
        return found[0]


def get_in(query, object_id):
    """Return the row with this id from a salon-scoped query; raise NotInSalon (also for ids out of range)."""
    model = query.model
    _check_id(model, object_id)
    found = query.where(model.id == object_id).first()
    if found is None:
        raise NotInSalon(model, object_id)
    return found


def _check_id(model, object_id):
    """Raise NotInSalon for anything no row id can be (a bool, not an int, out of range)."""
    if isinstance(object_id, bool) or not isinstance(object_id, int) or not in_range(object_id):
        raise NotInSalon(model, object_id)


def column_list(fields, alias=None):
    """The quoted columns of these fields for hand-written SQL ("a"."b", ...), as peewee would select them."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{field.column_name}"' for field in fields)


def row_model(model, fields, values):
    """A model instance from a row of its `fields`, converted as peewee converts a selected row."""
    instance = model(__no_default__=1)  # clean: no defaults, nothing dirty, no related rows cached
    # What peewee's field accessors would store, without a setattr and a dirty mark per column (hot pages read
    # dozens of rows).
    instance.__data__ = {field.name: field.python_value(value) for field, value in zip(fields, values)}
    return instance


def rows_by_id(model, salon_id, ids, *, column="id"):
    """This salon's rows of a TenantModel whose `column` is one of `ids`, every field, as instances, by id."""
    return one_trip.fetch_one(rows_by_id_query(model, salon_id, ids, column=column))


def rows_by_id_query(model, salon_id, ids, *, column="id"):
    """The Query of `rows_by_id`: fixed SQL, no composing, for hot pages that read a handful of rows by id
    (composing the SELECT with peewee cost more than running it)."""
    fields = model._meta.sorted_fields
    if not ids:
        return one_trip.Query(None, (), ())
    head = f'SELECT {column_list(fields)} FROM "{model._meta.table_name}" WHERE "salon_id" = ? AND "{column}" '
    if is_postgres():  # one array, so the text is the same for any number of ids: prepared (the card's rows)
        sql, params, fixed = f'{head}= ANY(?) ORDER BY "id"', [salon_id, list(ids)], True
    else:
        sql, params, fixed = f'{head}IN ({", ".join("?" * len(ids))}) ORDER BY "id"', [salon_id, *ids], False
    return one_trip.Query(sql, params, one_trip.sql_types(fields),
                          lambda rows: [row_model(model, fields, row) for row in rows], fixed)


class MoneyField(BigIntegerField):
    """An amount in the currency's minor units (cents; whole francs for RWF)."""


class UTCDateTimeField(DateTimeField):
    """A naive datetime that is always UTC; convert to the salon's zone only to display."""
