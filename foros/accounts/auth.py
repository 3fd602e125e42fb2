"""Sessions (Flask-Login), bearer tokens, and the access decorators every view uses."""

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from foros.accounts.models import Role, User
from foros.accounts.services import active_token
from foros.core.security import public  # noqa: F401  (views take every access decorator from here)
from foros.core.transaction import SAFE_METHODS
from foros.extensions import db, login_manager


def init_login(app):
    """Configure Flask-Login: Spanish messages, session protection, user loading."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Inicie sesión para continuar."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str):
    pk, _, session_token = (user_id or "").partition(":")
    if not pk.isdigit() or not session_token:
        return None
    user = db.session.get(User, int(pk))
    if user is None or not user.active or user.session_token != session_token:
        return None
    return user


def _require_session():
    """Judge a session route's authentication on its own (see ``foros.core.security``): the login redirect for
    visitors, None for signed-in accounts."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _require_token():
    """Judge a token route's authentication on its own: 401 without a valid token."""
    if current_api_user() is None:
        abort(401)


def organizer_required(view):
    """Only logged-in organizers (others: 302 to login, or 403)."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.role != Role.ORGANIZER:
            abort(403)
        return view(*args, **kwargs)

    wrapped.access = "organizer"
    wrapped.authenticate = _require_session
    return wrapped


def staff_required(view):
    """Logged-in staff or organizers; each view still checks the event assignment."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.role not in (Role.ORGANIZER, Role.STAFF):
            abort(403)
        return view(*args, **kwargs)

    wrapped.access = "staff"
    wrapped.authenticate = _require_session
    return wrapped


def bearer_token() -> str:
    """Return the bearer token of the request, or ''."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_api_user() -> User | None:
    """Return the account behind the request's bearer token, looked up once per request.

    Cached on the request itself, not on ``g``: ``g`` belongs to the app context, which outlives the request
    when one was already pushed (tests, CLI), so a request without a token would see the previous one's user.
    """
    if "foros.api_user" not in request.environ:
        token = bearer_token()
        row = active_token(token, record_use=request.method not in SAFE_METHODS) if token else None
        request.environ["foros.api_user"] = row.user if row is not None else None
    return request.environ["foros.api_user"]


def api_auth(role: Role | None = None, *, lazy: bool = False):
    """Require a valid bearer token (and a role, if given); 401 or 403 as JSON.

    ``lazy=True``: only require the header here; the view checks the token itself in the same statement
    as its other reads (the check-in hot path).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if lazy:
                if not bearer_token():
                    abort(401)
                try:
                    return view(*args, **kwargs)
                except HTTPException as exc:
                    if exc.code not in (400, 413, 415, 422):
                        raise
                    # The body was refused before the view could check the token; a bad token still says
                    # 401 first. Only refused requests pay for this lookup, not the hot path.
                    if current_api_user() is None:
                        abort(401)
                    raise
            user = current_api_user()
            if user is None:
                abort(401)
            if role is Role.ORGANIZER and user.role != Role.ORGANIZER:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = f"token:{role.value if role else 'any'}"
        wrapped.authenticate = _require_token
        return wrapped

    return decorator
