"""`flask evaluation remind`: the automatic reminders that are due, for a cron job
(reading any page of an open round sends them too, so the cron job is optional)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

evaluation_cli = AppGroup("evaluation", help="Two-way evaluation commands.")


@evaluation_cli.command("remind")
def remind_command():
    """Remind evaluators of open rounds whose reminder date has come (each once)."""
    from app.evaluation.services import remind_due_rounds
    from app.extensions import db

    sent = remind_due_rounds()
    db.session.commit()
    click.echo(f"evaluators reminded: {sent}")
