"""Flask commands: `flask seed-demo`, `flask create-admin`."""
from __future__ import annotations

import click
from flask import Flask

from app.domain import DomainError
from app.extensions import db


def register(app: Flask) -> None:
    from app.timebank.cli import timebank_cli

    app.cli.add_command(timebank_cli)

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
    def seed_demo(if_empty: bool):
        """Load the demo subdistrict, communities and one account per role."""
        from app import demo

        if not demo.is_empty():
            if if_empty:
                click.echo("Database already has data; demo data not loaded.")
                return
            raise click.ClickException("The database is not empty; refusing to add demo data.")
        demo.seed()
        db.session.commit()
        click.echo("Demo data loaded. Accounts (password: %s):" % demo.DEMO_PASSWORD)
        for login, label in demo.DEMO_ACCOUNTS:
            click.echo(f"  {login:<14} {label}")

    @app.cli.command("create-admin")
    @click.option("--login", required=True, help="Username or mobile number.")
    @click.option("--name", default="系统管理员", show_default=True)
    @click.password_option(help="At least 8 characters, not a common password.")
    def create_admin(login: str, name: str, password: str):
        """Create an administrator account."""
        from app.accounts import services
        from app.accounts.models import Role

        try:
            user = services.create_user(None, login=login, display_name=name, password=password)
            services.assign_role(None, user, Role.admin)
        except DomainError as e:
            db.session.rollback()
            raise click.ClickException(str(e.message)) from e
        db.session.commit()
        click.echo(f"Administrator {user.login_name} created.")
