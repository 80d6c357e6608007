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
