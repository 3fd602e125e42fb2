"""Security headers on every response (a strict CSP with no inline scripts, and friends); NUL bytes refused."""

from flask import Request, abort, current_app, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

#: The door's QR decoder (zxing-wasm, vendored) compiles WebAssembly, which a CSP allows only with
#: 'wasm-unsafe-eval': it permits WebAssembly.compile/instantiate and nothing else (eval and new Function stay
#: blocked). Only the door pages and the decoder worker get it (a worker obeys the CSP of its own response).
WASM_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WASM_PATHS = ("/puerta/", "/static/js/checkin/decoder-worker.js")


def public(view):
    """Mark a view as open to everyone (the access matrix test reads ``access``). The other access decorators
    live in ``foros.accounts.auth``; this one is here because core's own routes (health, API docs) need it."""
    view.access = "public"
    return view


class FormCappedRequest(Request):
    """A request whose URL-encoded form body is capped at ``MAX_FORM_MEMORY_SIZE`` (Flask's per-field cap for
    multipart forms, 500 KB by default): Werkzeug reads such a body whole, bounded only by ``MAX_CONTENT_LENGTH``
    (sized for uploads), so a 1 MB name reached the form and came back echoed in a 1 MB page. Now it is a 413."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if current_app and self._max_content_length is None and self.mimetype == FORM_TYPES[0]:
            form_limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
            if form_limit is not None:
                return form_limit if limit is None else min(limit, form_limit)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", WASM_CSP if request.path.startswith(WASM_PATHS) else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        # Pages can show personal data to organizers: never cache them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    if request.path.startswith("/static/vendor/") and response.status_code in (200, 304):
        # Vendored libraries live in versioned folders (zxing-wasm-3.1.4/): a new version is a new URL.
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _has_nul_bytes() -> bool:
    # Only form bodies are parsed here (JSON bodies are checked by the API parser): touching ``request.form``
    # on every request built an empty form parser for each API call.
    if "\x00" in request.path:
        return True
    form = request.form if request.mimetype in FORM_TYPES else None
    for multidict in (request.args, form) if form is not None else (request.args,):
        for key, values in multidict.lists():
            if "\x00" in key or any("\x00" in value for value in values if isinstance(value, str)):
                return True
    return False


def _refuse_nul_bytes():
    # No text a person types contains NUL, and PostgreSQL cannot store or even compare it (a 500 otherwise).
    if not _has_nul_bytes():
        return None
    # On a protected route authentication is judged first (401 or the login page, not 400): the access
    # decorators of foros.accounts.auth leave an ``authenticate`` callable on the view.
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    authenticate = getattr(view, "authenticate", None)
    if authenticate is not None and (response := authenticate()) is not None:
        return response
    abort(400)


def init_app(app):
    """Add the headers to every response (and HSTS when cookies are HTTPS-only); refuse NUL bytes; cap forms."""
    app.request_class = FormCappedRequest
    app.before_request(_refuse_nul_bytes)
    app.after_request(_set_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def _hsts(response):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
