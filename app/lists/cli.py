"""`flask lists import <subdistrict-id> FILE.xlsx` (a new draft) and
`flask lists export <subdistrict-id> FILE.xlsx` (the version in force)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

lists_cli = AppGroup("lists", help="The two lists (两份清单) of a subdistrict as XLSX.")


def _subdistrict(subdistrict_id: int):
    from app.extensions import db
    from app.places.models import Subdistrict

    subdistrict = db.session.get(Subdistrict, subdistrict_id)
    if subdistrict is None:
        raise click.ClickException(f"No subdistrict {subdistrict_id}.")
    return subdistrict


@lists_cli.command("import")
@click.argument("subdistrict_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(subdistrict_id: int, path: Path):
    """Create a draft of the subdistrict's lists from FILE.xlsx (nothing on any bad row)."""
    from app.domain import DomainError
    from app.extensions import db
    from app.lists import services
    from app.lists.xlsx import ImportRefused

    subdistrict = _subdistrict(subdistrict_id)
    try:
        draft = services.import_draft(None, subdistrict, path.read_bytes(), filename=path.name, by_command=True)
    except ImportRefused as refused:
        db.session.rollback()
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(refused.message)) from None
    except DomainError as e:
        db.session.rollback()
        raise click.ClickException(str(e.message)) from None
    db.session.commit()
    click.echo(f"Draft {draft.id} of {subdistrict.name}: {len(draft.items)} items, "
               f"{len(draft.removals)} removed. Review and publish it on the lists page.")


@lists_cli.command("export")
@click.argument("subdistrict_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(subdistrict_id: int, path: Path):
    """Write the subdistrict's version in force to FILE.xlsx."""
    from app.lists import services, xlsx

    subdistrict = _subdistrict(subdistrict_id)
    version = services.version_in_force(subdistrict.id)
    if version is None:
        raise click.ClickException(f"{subdistrict.name} has no list in force.")
    items = services.items_of(version)
    path.write_bytes(xlsx.write(version, items))
    click.echo(f"Version {version.number} of {subdistrict.name} (in force since {version.effective_on}): "
               f"{len(items)} items written to {path}.")
