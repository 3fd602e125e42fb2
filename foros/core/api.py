"""The JSON API: flask-smorest (OpenAPI generated from the code), one error shape, bearer auth docs."""

import re

import flask_smorest
import marshmallow as ma
from flask import Blueprint, current_app, render_template, request
from flask_smorest import Api
from webargs.core import missing
from webargs.flaskparser import FlaskParser, abort

from foros.core import error_catalogue
from foros.core.security import public
from foros.core.text import clean_text
from foros.extensions import csrf

#: Marshmallow's English messages, said in Spanish to API clients.
_MESSAGES_ES = [
    (re.compile(r"^Missing data for required field\.$"), "Campo obligatorio."),
    (re.compile(r"^Field may not be null\.$"), "El campo no puede ser nulo."),
    (re.compile(r"^Not a valid string\.$"), "Debe ser texto."),
    (re.compile(r"^Not a valid integer\.$"), "Debe ser un número entero."),
    (re.compile(r"^Not a valid boolean\.$"), "Debe ser verdadero o falso."),
    (re.compile(r"^Not a valid date\.$"), "Fecha no válida (use AAAA-MM-DD)."),
    (re.compile(r"^Not a valid datetime\.$"), "Fecha y hora no válidas (use ISO 8601)."),
    (re.compile(r"^Not a valid email address\.$"), "Correo electrónico no válido."),
    (re.compile(r"^Not a valid list\.$"), "Debe ser una lista."),
    (re.compile(r"^Not a valid UUID\.$"), "UUID no válido."),
    (re.compile(r"^Unknown field\.$"), "Campo desconocido."),
    (re.compile(r"^Invalid input type\.$"), "Tipo de dato no válido."),
    (re.compile(r"^Must be one of: (.*)\.$"), r"Debe ser uno de: \1."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"Máximo \1 caracteres."),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"Mínimo \1 caracteres."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"Entre \1 y \2 caracteres."),
    (re.compile(r"^Length must be (\d+)\.$"), r"Exactamente \1 caracteres."),
    (re.compile(r"^Must be greater than or equal to (.*)\.$"), r"Debe ser mayor o igual que \1."),
    (re.compile(r"^Must be less than or equal to (.*)\.$"), r"Debe ser menor o igual que \1."),
]


def translate_messages(messages):
    """Translate marshmallow's validation messages (nested dicts and lists) into Spanish."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(m) for m in messages]
    if isinstance(messages, str):
        for pattern, spanish in _MESSAGES_ES:
            if pattern.match(messages):
                return pattern.sub(spanish, messages)
    return messages


#: A lone UTF-16 surrogate: valid in JSON (``"\\ud800"``) and in a Python str, but not UTF-8, so no database
#: driver can send it (a 500 otherwise).
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_unstorable(text: str) -> bool:
    """Tell whether ``text`` holds a NUL or a lone surrogate: nothing a person types, nothing a database stores."""
    return "\x00" in text or (not text.isascii() and _SURROGATE.search(text) is not None)


def has_unstorable_text(data) -> bool:
    """Tell whether any key or string in parsed JSON is unstorable (iterative: JSON nests deep)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if is_unstorable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


#: The answer to text that cannot be stored (NUL, lone surrogates), for the API and the door's JSON alike.
UNSTORABLE_MESSAGE = "El texto enviado contiene caracteres nulos o no válidos (p. ej. \\u0000 o \\ud800)."


#: What the document says every request string must match: no NUL, no lone surrogate (refused with 400).
#: Control characters (tab and line breaks aside) and bidi controls are removed by ``clean_text``, so a request
#: valid by the document has none either.
TEXT_PATTERN = ("^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f"
                "\\u202a-\\u202e\\u2066-\\u2069]*$")
TEXT_RULE = ("Sin caracteres nulos (\\u0000) ni sustitutos sueltos (\\ud800–\\udfff): se rechazan con 400. "
             "Otros caracteres de control y de dirección (p. ej. U+202E) se eliminan.")


class Text(ma.fields.String):
    """A request string: documented with ``TEXT_PATTERN`` and the rule, cleaned by ``clean_text`` on load."""

    def __init__(self, *args, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.setdefault("pattern", TEXT_PATTERN)
        metadata["description"] = " ".join(filter(None, [metadata.get("description"), TEXT_RULE]))
        super().__init__(*args, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_text(super()._deserialize(value, attr, data, **kwargs))


class ForosParser(FlaskParser):
    """webargs parser that answers with Foros's error codes."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, code="malformed_json", message="El cuerpo de la solicitud no es JSON válido.")

    def load_json(self, req, schema):
        try:
            data = super().load_json(req, schema)
        except (RecursionError, ValueError) as exc:  # 100,000 nested brackets; a 5,000-digit number
            self._handle_invalid_json_error(exc, req)
        if has_unstorable_text(data):  # valid JSON, but no database can store it (a 500 otherwise)
            abort(400, code="bad_request", message=UNSTORABLE_MESSAGE)
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        fields = translate_messages(error.normalized_messages())
        if set(fields) <= {"json", "query", "querystring", "view_args", "path"} and len(fields) == 1:
            fields = next(iter(fields.values()))
        if isinstance(fields, dict) and "_schema" in fields and len(fields) == 1:
            abort(422, code="validation_error", message="El cuerpo debe ser un objeto JSON.", fields=fields)
        abort(error_status_code or 422, exc=error, code="validation_error",
              message="Los datos enviados no son válidos.", fields=fields)


flask_smorest.Blueprint.ARGUMENTS_PARSER = ForosParser()


def load_json_body(schema: ma.Schema) -> dict:
    """Parse and validate the request's JSON body with ``schema`` (an instance), exactly as
    ``@blp.arguments`` would (same errors: 400 ``malformed_json``, 422 ``validation_error`` in Spanish),
    without webargs' per-request machinery. For the hot routes; see ``openapi_only``."""
    parser = flask_smorest.Blueprint.ARGUMENTS_PARSER
    data = parser.load_json(request, schema)
    try:
        return schema.load({} if data is missing else data, unknown=ma.RAISE)
    except ma.ValidationError as error:
        parser.handle_error(error, request, schema, error_status_code=422, error_headers=None)


def openapi_only(*decorators):
    """Document a view with flask-smorest's decorators (``arguments``, ``response``, ``alt_response``,
    ``doc``) without wrapping it: the OpenAPI document is generated from the same schemas, while the view
    parses with ``load_json_body`` and answers with ``jsonify``. Used by the two hottest routes (a
    registration, a scan), where webargs and the response schema were a measurable share of each request
    (bench/README.md)."""

    def decorator(view):
        def placeholder(*args, **kwargs):  # never called: it only collects the decorators' documentation
            raise AssertionError("documentation placeholder")

        documented = placeholder
        for document in reversed(decorators):
            documented = document(documented)
        view._apidoc = documented._apidoc
        return view

    return decorator


class ErrorDetailSchema(ma.Schema):
    """The inside of every API error."""

    code = ma.fields.String(required=True, metadata={"description": "Código estable, p. ej. `not_found`"})
    message = ma.fields.String(required=True, metadata={"description": "Mensaje en español"})
    fields = ma.fields.Dict(metadata={"description": "Errores por campo (422)"})


class ErrorSchema(ma.Schema):
    """``{"error": {"code", "message", "fields"?}}``"""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class ForosApi(Api):
    """flask-smorest's Api without its app-wide error handler (ours covers HTML and JSON)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


SPEC_KWARGS = {
    "info": {"description": "API de Foros: eventos, registros y acceso. Errores: "
                            '`{"error": {"code": "...", "message": "..."}}`.'},
}


def get_api() -> ForosApi:
    """The app's Api object (one per app, so test apps do not share specs)."""
    return current_app.extensions["foros_api"]

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@docs_bp.get("/docs")
@public
def docs():
    """Browsable API reference rendered on the server from the generated OpenAPI document."""
    spec = get_api().spec.to_dict()
    return render_template("api/docs.html", spec=spec)


def init_app(app) -> ForosApi:
    """Create the app's Api and declare the bearer security scheme."""
    api = ForosApi(app, spec_kwargs=SPEC_KWARGS)
    app.extensions["foros_api"] = api
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Token creado con `flask tokens create`."},
    )
    return api


def register_docs(app):
    """Serve the docs page; the API itself is exempt from CSRF (bearer tokens, no cookies)."""
    document_error_codes(app.extensions["foros_api"])
    app.register_blueprint(docs_bp)
    for name in list(app.blueprints):
        if name.startswith("api_") and name != "api_docs":
            csrf.exempt(app.blueprints[name])


def document_error_codes(api: ForosApi) -> None:
    """List every catalogued error code in the OpenAPI document (``components.schemas.ErrorCode``): the
    ``code`` of an error body is one of them; ``x-codes`` gives each one's domain, HTTP status and message."""
    codes = error_catalogue.all_codes()
    api.spec.components.schema("ErrorCode", {
        "type": "string",
        "description": "Código estable del campo `error.code` de una respuesta de error.",
        "enum": [entry.code for entry in codes],
        "x-codes": [{"code": entry.code, "domain": entry.domain, "status": entry.status,
                     "message": entry.message} for entry in codes],
    })
