"""The `recompute-visits` command: backfill the ledger from sales and appointments, rebuild figures from it."""
import click

from salon_web.db import db
from salon_web.models import Salon


@click.command("recompute-visits")
@click.option("--salon", "salon_id", type=int, help="Only this salon (id).")
@click.option("--check", is_flag=True, help="Change nothing; print each drifting row and exit 1 if any.")
def recompute_visits(salon_id, check):
    """Rebuild every customer's visit figures from the visit ledger (and the ledger from its sources)."""
    from salon_web.services.visits import recompute_figures

    with db.connection_context():
        salon = None
        if salon_id is not None:
            salon = Salon.get_or_none(Salon.id == salon_id)
            if salon is None:
                raise click.ClickException(f"no salon with id {salon_id}")
        drift = recompute_figures(salon, check=check)
    if drift:
        click.echo("\n".join(drift))  # one write: a restored salon's rebuild reports a million lines
    if check:
        click.echo(f"{len(drift)} drifting row(s)" if drift else "no drift")
        raise SystemExit(1 if drift else 0)
    click.echo(f"repaired {len(drift)} drifting row(s)" if drift else "no drift: nothing to repair")
