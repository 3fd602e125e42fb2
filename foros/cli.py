"""Command-line interface: ``flask --app wsgi users|tokens|demo ...``."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from foros.accounts import services as accounts
from foros.accounts.models import ApiToken, Role
from foros.core.errors import DomainError
from foros.declarations.cli import declarations_cli
from foros.demo.data import load_demo_data
from foros.events.services import get_event
from foros.extensions import db
from foros.mail.cli import mail_cli

users_cli = AppGroup("users", help="Cuentas de organizadores y personal de registro.")
tokens_cli = AppGroup("tokens", help="Tokens de API para dispositivos e integraciones.")
demo_cli = AppGroup("demo", help="Datos de demostración.")


def _fail(message: str):
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.option("--email", required=True, help="Correo (inicio de sesión).")
@click.option("--name", required=True, help="Nombre completo.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--event", "events", multiple=True, help="Slug de un evento asignado (personal). Repetible.")
@click.option("--password", help="Contraseña; si falta, se pide sin mostrarla.")
def create_user(email, name, role, events, password):
    """Create an account."""
    if password is None:
        password = click.prompt("Contraseña", hide_input=True, confirmation_prompt=True)
    try:
        assigned = [get_event(slug) for slug in events]
        user = accounts.create_user(email=email, name=name, role=role, password=password, events=assigned)
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.secho(f"Cuenta creada: {user.email} ({user.role.value})", fg="green")


@tokens_cli.command("create")
@click.option("--email", required=True, help="Cuenta dueña del token.")
@click.option("--label", default="", help="Etiqueta, p. ej. «Escáner puerta 1».")
def create_token(email, label):
    """Issue a token; it is printed once, as the last word of the output."""
    user = accounts.get_user_by_email(email)
    if user is None or not user.active:
        _fail(f"No hay una cuenta activa con el correo {email}.")
    _row, token = accounts.create_token(user, label)
    db.session.commit()
    click.echo(f"Token para {user.email} (guárdelo; no se volverá a mostrar): {token}")


@tokens_cli.command("list")
def list_tokens():
    """List tokens (never the secret)."""
    for row in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
        state = "revocado" if row.revoked_at else "activo"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.user.email}\t{row.label}\t{state}")


@demo_cli.command("load")
def load_demo():
    """Load the demo programme and accounts (idempotent)."""
    summary = load_demo_data()
    db.session.commit()
    click.secho(summary, fg="green")


def init_app(app):
    """Attach the command groups to the app."""
    for group in (users_cli, tokens_cli, demo_cli, mail_cli, declarations_cli):
        app.cli.add_command(group)
