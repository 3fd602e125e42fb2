"""Outgoing e-mail: a durable outbox written with the change that causes it, delivered by a worker."""

from flask import Blueprint

#: The routes are in ``foros.mail.views``, imported by create_app.
bp = Blueprint("mail", __name__)
