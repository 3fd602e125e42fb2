"""The single serving entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from foros import create_app

app = create_app()
