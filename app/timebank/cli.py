"""`flask timebank verify`: recompute every balance from postings and check the ledger's invariants."""
from __future__ import annotations

import click
from flask.cli import AppGroup

timebank_cli = AppGroup("timebank", help="Time bank ledger commands.")


@timebank_cli.command("verify")
def verify_command():
    """Exit non-zero on any violation of the ledger's invariants."""
    from app.timebank.ledger import verify

    report = verify()
    click.echo(f"transactions: {report['transactions']}, postings: {report['postings']}, "
               f"accounts: {report['accounts']}, service records: {report['service_records']}")
    for problem in report["problems"]:
        click.echo(f"VIOLATION: {problem}", err=True)
    if report["problems"]:
        raise SystemExit(1)
    click.echo("ledger verified: no violations")


@timebank_cli.command("expire")
def expire_command():
    """Daily cron: tell helpers and receivers about records that expired unconfirmed.
    Expiry itself is computed when a record is read; this only sends the notices, once."""
    from app.extensions import db
    from app.timebank.exchange import expire_claims

    count = expire_claims()
    db.session.commit()
    click.echo(f"expired records noticed: {count}")
