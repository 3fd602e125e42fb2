"""``flask --app wsgi mail deliver``: deliver the due outbox once (cron, tests, a worker that is down)."""

import sys

import click
from flask.cli import AppGroup

from foros.mail.delivery import deliver_due_messages

mail_cli = AppGroup("mail", help="Correo saliente (bandeja de salida).")


@mail_cli.command("deliver")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1),
              help="Máximo de mensajes en esta pasada.")
def deliver(limit):
    """Deliver the due messages once and print the counts; exit 1 if any attempt failed."""
    counts = deliver_due_messages(limit=limit)
    if not counts["configured"]:
        click.secho(f"No hay servidor de correo (FOROS_MAIL_SERVER). {counts['held']} mensajes pendientes "
                    "esperan en la bandeja de salida; no se envió ninguno.", fg="yellow")
        return
    summary = (f"Enviados: {counts['sent']} · Por reintentar: {counts['retry']} · Fallidos: {counts['failed']}"
               f" · Pendientes para otra pasada: {counts['held']}")
    if counts["retry"] or counts["failed"]:
        click.secho(summary, fg="red", err=True)
        sys.exit(1)
    click.secho(summary, fg="green")
