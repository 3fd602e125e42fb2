"""Reports: the event report ("informe"), a PDF built from the sections that each domain registers."""

from flask import Blueprint

#: The routes are in ``foros.reports.views``, imported by create_app.
bp = Blueprint("reports", __name__)
