"""`flask partners add|list|remove`: the sites that may frame the dilemma (SPEC §11)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dilemmaboard.desk.audit import command_line_actor
from dilemmaboard.extensions import db
from dilemmaboard.partners.registry import add_partner, all_partners, remove_partner
from dilemmaboard.refusal import Refused

partners_cli = AppGroup("partners", help="Partner sites that may embed the dilemma.")


@partners_cli.command("add")
@click.argument("partner_id", metavar="ID")
@click.option("--name", required=True, help="The partner's display name.")
@click.option("--origin", "origins", multiple=True, required=True,
              help="An origin allowed to frame the embed, https://host[:port] (repeatable).")
def add_command(partner_id: str, name: str, origins: tuple[str, ...]) -> None:
    """Register a partner site and the origins that may frame the embed."""
    try:
        partner = add_partner(db.session, partner_id, name, list(origins),
                              who=command_line_actor())
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"added partner {partner.id} ({partner.name}): {' '.join(partner.origins)}")


@partners_cli.command("list")
def list_command() -> None:
    """List the partners: id, name and allowed origins, tab-separated."""
    for partner in all_partners(db.session):
        click.echo(f"{partner.id}\t{partner.name}\t{' '.join(partner.origins)}")


@partners_cli.command("remove")
@click.argument("partner_id", metavar="ID")
def remove_command(partner_id: str) -> None:
    """Remove a partner: its origins may no longer frame the embed; its votes keep their source."""
    try:
        partner = remove_partner(db.session, partner_id, who=command_line_actor())
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    db.session.commit()
    click.echo(f"removed partner {partner.id}")
