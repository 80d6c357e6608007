"""Flask commands: `flask seed-demo`, `flask create-admin`; each domain's group (`flask timebank`, `flask lists`)."""
from __future__ import annotations

import click
from flask import Flask

from app.domain import DomainError
from app.extensions import db


def register(app: Flask) -> None:
    from app.lists.cli import lists_cli
    from app.timebank.cli import timebank_cli

    app.cli.add_command(timebank_cli)
    app.cli.add_command(lists_cli)
    from app.evaluation.cli import evaluation_cli

    app.cli.add_command(evaluation_cli)

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

    @app.cli.command("bench-data")
    @click.option("--scale", type=click.FloatRange(0.0005, 10), default=0.01, show_default=True,
                  help="1 is a city: 20 communities, 20,000 residents, 100,000 topics, 500,000 comments, "
                       "2,000 meetings, 50,000 activities, 1,000,000 ledger postings.")
    @click.option("--seed", type=int, default=2026, show_default=True)
    def bench_data(scale: float, seed: int):
        """Fill an empty, migrated database with city-scale data for benchmarks (refuses any other)."""
        from app import benchdata

        try:
            result = benchdata.generate(scale, seed, echo=click.echo)
        except RuntimeError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"Done: {result['rows']:,} rows in {result['seconds']:.0f} s. Password for every account: "
                   f"{benchdata.BENCH_PASSWORD}")
        click.echo("  bench-admin (administrator), sw01a / sw01b (social workers of community 1), "
                   "jd01 (subdistrict staff), cm01 (committee member)")
        click.echo(f"  residents with thousands of movements: {', '.join(result['heavy'])}; "
                   f"busiest topic: /topics/{result['busiest_topic']}")

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
