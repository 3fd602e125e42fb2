"""Accounts: people who run Foros (organizers, staff), their sessions and API tokens."""

from flask import Blueprint

#: The routes are in ``foros.accounts.views``, imported by create_app.
bp = Blueprint("accounts", __name__)
