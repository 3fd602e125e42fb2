"""`flask declarations …`: a self-signed sealing identity for development and demos, and sealing the final
documents of signed declarations left unsealed (no certificate then, or the timestamp authority down)."""

import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from foros.declarations.seal import make_seal_identity
from foros.declarations.sealing import seal_unsealed

declarations_cli = AppGroup("declarations", help="Declaratorias: sello institucional y documentos finales.")


@declarations_cli.command("make-seal")
@click.option("--out", "out", default="instance/seal.p12", show_default=True, type=click.Path(dir_okay=False),
              help="Archivo PKCS#12 que se escribe.")
@click.option("--password", default="", help="Contraseña del archivo (vacía: se genera una).")
@click.option("--name", default="", help="Organización del certificado (por omisión, ORGANIZATION_NAME).")
@click.option("--force", is_flag=True, help="Reemplazar el archivo si ya existe.")
def make_seal(out, password, name, force):
    """Make a self-signed sealing certificate (development and demo only: readers show it as not trusted)."""
    path = Path(out)
    if path.exists() and not force:
        click.secho(f"{path} ya existe (use --force para reemplazarlo).", fg="red", err=True)
        sys.exit(1)
    password = password or secrets.token_urlsafe(18)
    make_seal_identity(path, password, name or current_app.config["ORGANIZATION_NAME"])
    click.secho(f"Sello autofirmado escrito en {path}.", fg="green")
    click.echo("Configure Foros con:")
    click.echo(f"  export FOROS_DECLARATIONS_SEAL_PKCS12={path.resolve()}")
    click.echo(f"  export FOROS_DECLARATIONS_SEAL_PASSWORD={password}")
    click.secho("Es autofirmado: los lectores de PDF lo mostrarán como «validez desconocida» (README).",
                fg="yellow")


@declarations_cli.command("finalize")
def finalize_pending():
    """Seal the final document of every signed declaration that has none (the periodic task does it too)."""
    run = seal_unsealed()
    for declaration_id, reason in run.failed.items():
        click.secho(f"Declaratoria {declaration_id}: {reason}", fg="red", err=True)
    click.secho(f"Documentos finales sellados: {len(run.sealed)}.", fg="green")
    if run.failed:
        sys.exit(1)
