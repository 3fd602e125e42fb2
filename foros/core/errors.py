"""Domain errors and the one place that turns any error into an HTML page or a JSON body."""

import sqlite3

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from foros.core import error_catalogue
from foros.core.db import DatabaseUnavailable, is_database_unavailable
from foros.core.redact import request_route

#: Spanish messages for HTTP errors shown to people.
HTTP_MESSAGES = {
    400: "La solicitud no es válida.",
    401: "Necesita autenticarse para continuar.",
    403: "No tiene permiso para ver esta página.",
    404: "No encontramos lo que busca.",
    405: "Método no permitido.",
    413: "El archivo o los datos enviados son demasiado grandes.",
    415: "Tipo de contenido no admitido.",
    422: "Los datos enviados no son válidos.",
    429: "Demasiados intentos. Espere unos minutos e inténtelo de nuevo.",
    500: "Ocurrió un error inesperado. Ya quedó registrado; inténtelo de nuevo.",
    503: "El servicio no está disponible en este momento.",
}

#: Stable API error codes for HTTP errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

#: A form or script whose CSRF token is missing or stale (JSON clients get this code; pages a Spanish page).
CSRF_MESSAGE = "La página caducó o no es válida. Recárguela e inténtelo de nuevo."

#: Core's codes: the HTTP errors every route may answer with.
CATALOGUE = error_catalogue.Catalogue("core", {
    **{code: (status, HTTP_MESSAGES[status]) for status, code in HTTP_CODES.items()},
    "csrf_invalid": (400, CSRF_MESSAGE),
})


class DomainError(Exception):
    """A business rule said no. ``code`` is stable (API clients switch on it); ``message`` is Spanish."""

    status = 422

    def __init__(self, code: str, message: str | None = None, *, fields: dict | None = None,
                 status: int | None = None):
        if message is None:  # the domain's catalogue gives the default message and status
            entry = error_catalogue.lookup(code)
            if entry is None:
                raise ValueError(f"El código {code!r} no está en ningún catálogo de errores: pase un mensaje.")
            message = entry.message
            status = entry.status if status is None else status
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status


class FieldErrors(dict):
    """Field name → Spanish messages, in the order found: what services collect before raising
    ``DomainError(..., fields=errors)`` (a dict, so it goes to JSON and forms as it is)."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


class NotFound(DomainError):
    """The object asked for does not exist (or is not visible to the caller)."""

    status = 404


def wants_json() -> bool:
    """API routes and health checks always answer JSON, and so does any request that sent a JSON body
    (a page's script saving as it goes): it reads the error's code, not a page."""
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def json_error(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    """Build the one JSON error shape: ``{"error": {"code", "message"[, "fields"]}}``."""
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _handle_http(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if wants_json():
        csrf = isinstance(exc, CSRFError)
        code = data.get("code") or ("csrf_invalid" if csrf else HTTP_CODES.get(status, "error"))
        default = CSRF_MESSAGE if csrf else HTTP_MESSAGES.get(status, exc.description or "Error")
        message = data.get("message") or default
        fields = data.get("fields") or data.get("messages")
        if fields and "json" in fields and len(fields) == 1:
            fields = fields["json"]
        headers = data.get("headers") or {}
        response = json_error(status, code, message, fields, headers)
        if status == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="foros"'
        return response
    message = HTTP_MESSAGES.get(status, "Ocurrió un error.")
    if isinstance(exc, CSRFError):
        message = "El formulario caducó o no es válido. Recargue la página e inténtelo de nuevo."
    return _error_page(status, message)


def _error_page(status: int, message: str):
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:  # the page itself failed (e.g. database down while loading the user)
        return f"<!doctype html><title>Error {status}</title><p>{message}</p>", status


def _handle_domain(exc: DomainError):
    if wants_json():
        return json_error(exc.status, exc.code, exc.message, exc.fields)
    return _error_page(exc.status, exc.message)


def _handle_unexpected(exc: Exception):
    from flask import current_app

    # The URL rule, not the path: a ticket link's path is its secret (foros.core.redact).
    current_app.logger.exception("Unhandled error on %s %s", request.method, request_route())
    return _handle_http(InternalServerError())


#: Seconds a client is asked to wait (``Retry-After``) when the database is down.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE_MESSAGE = (
    "No podemos consultar la base de datos en este momento. Espere unos minutos y vuelva a intentarlo; si "
    "estaba enviando un formulario, envíelo de nuevo."
)


def database_unavailable_response(message: str = DATABASE_UNAVAILABLE_MESSAGE):
    """503 ``database_unavailable`` with ``Retry-After``: JSON for the API, otherwise a page that reads nothing."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return json_error(503, "database_unavailable", message, headers=headers)
    # Render as to a visitor: loading the account may be what failed, and an account loaded before the
    # failure was expired by the rollback, so showing its menu would query the database again.
    current_app.login_manager._update_request_context_with_user()
    body, status = _error_page(503, message)
    return body, status, headers


def _handle_database_error(exc: Exception):
    if not is_database_unavailable(exc):
        return _handle_unexpected(exc)
    # The driver's own message only: SQLAlchemy's adds the statement and its parameters (personal data).
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    current_app.logger.warning("Database unavailable (%s): %s", type(exc).__name__, reason[0] if reason else "")
    return database_unavailable_response()


def init_app(app):
    """Register the error handlers for HTML pages and the JSON API alike."""
    # An outage (database down, unreachable, read-only, locked too long) is a 503 on every route.
    for database_error in (SQLAlchemyError, sqlite3.Error, DatabaseUnavailable):
        app.register_error_handler(database_error, _handle_database_error)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(Exception, _handle_unexpected)
