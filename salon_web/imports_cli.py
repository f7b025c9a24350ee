"""The `import-customers` command: import a client book file into one salon, or only dry-run it."""
from pathlib import Path

import click

from salon_web.db import db
from salon_web.models import Salon


@click.command("import-customers")
@click.argument("salon_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what each row would do; write nothing.")
@click.option("--map", "overrides", multiple=True, metavar="COLUMN=field",
              help="Map a column to a field (empty field: ignore it); other columns keep the suggestion. Repeatable.")
def import_customers(salon_id, file, dry_run, overrides):
    """Import a CSV, XLSX or vCard client book into the salon SALON_ID (upsert by phone, else e-mail)."""
    from salon_web.services import customer_import as imports
    from salon_web.services.clock import local_today
    from salon_web.services.field_errors import FieldErrors
    from salon_web.services.import_files import read_table

    with db.connection_context():
        salon = Salon.get_or_none(Salon.id == salon_id)
        if salon is None:
            raise click.ClickException(f"no salon with id {salon_id}")
        try:
            table = read_table(file.read_bytes(), file.name)
            mapping = imports.mapping_with(salon, table.headers, _overrides(overrides))
        except FieldErrors as error:
            raise click.ClickException(error.errors["file"]) from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo("columns: " + ", ".join(f"{h} -> {f or 'ignored'}" for h, f in zip(table.headers, mapping)))
        today = local_today(salon.timezone)
        if dry_run:
            counts, outcomes = imports.plan_table(salon, table, mapping, today=today)
            for outcome in outcomes:
                if outcome.action in ("error", "skip"):
                    click.echo(f"row {outcome.row_number}: {outcome.action}: {outcome.reason}")
        else:
            customer_import = imports.import_table(salon, table, file.name, mapping, today=today)
            counts = imports.apply_import(salon, customer_import.id, today=today).counts
            click.echo(f"import {customer_import.id} done (undo within 7 days on its page)")
    click.echo(("dry run: " if dry_run else "") + ", ".join(f"{action} {counts.get(action, 0)}" for action in imports.ACTIONS))


def _overrides(pairs):
    """Return {column: field} from COLUMN=field options."""
    found = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"“{pair}”: write COLUMN=field", param_hint="--map")
        found[column.strip()] = field.strip()
    return found
