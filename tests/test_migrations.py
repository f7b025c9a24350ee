"""The migrations produce exactly the schema the models declare, on SQLite and PostgreSQL."""
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from salon_web.cli import MIGRATIONS_DIR, migrate_database
from salon_web.models import ALL_MODELS


def test_no_drift_between_migrations_and_models(app, database):
    diff = diff_models(database, ALL_MODELS)
    assert not diff, f"models and migrations differ; add a migration:\n{diff}"


def test_columns_match_models_in_type_and_nullability(app, database):
    """diff_models compares names only; compare each column's nullability and type family too."""
    problems = []
    for model in ALL_MODELS:
        columns = {c.name: c for c in database.get_columns(model._meta.table_name)}
        for field in model._meta.sorted_fields:
            column = columns.get(field.column_name)
            if column is None:
                problems.append(f"{model._meta.table_name}.{field.column_name} missing")
                continue
            if column.null != field.null and not field.primary_key:
                problems.append(f"{model._meta.table_name}.{field.column_name} null={column.null}, model says {field.null}")
            declared = database.get_context_options()["field_types"].get(field.field_type, field.field_type)
            if _family(column.data_type) != _family(str(declared)):
                problems.append(f"{model._meta.table_name}.{field.column_name} is {column.data_type}, model says {declared}")
    assert not problems, "\n".join(problems)


def _family(sql_type):
    sql_type = sql_type.lower()
    for family, words in {
        "int": ("int", "serial"),
        "text": ("char", "text", "json"),
        "time": ("time", "date"),
        "bool": ("bool",),
        "real": ("real", "double", "float", "numeric", "decimal"),
    }.items():
        if any(word in sql_type for word in words):
            return family
    return sql_type


def test_migrating_twice_applies_nothing(app, database):
    assert migrate_database(database) == []
    statuses = Runner(database, str(MIGRATIONS_DIR)).status()
    assert statuses and all(m.applied for m in statuses)
