"""Log in and out; organizers manage accounts and API tokens."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from foros.accounts import bp, services
from foros.accounts.auth import organizer_required, public, staff_required
from foros.accounts.forms import ForgotPasswordForm, LoginForm, PasswordForm, TokenForm, UserForm
from foros.accounts.models import ApiToken, User
from foros.core import transaction
from foros.core.errors import DomainError
from foros.events.models import Event
from foros.events.services import list_events
from foros.extensions import db, limiter


def _login_limit():
    from flask import current_app

    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _is_safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


@bp.route("/entrar", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    """Log in with e-mail and password; failures are rate-limited per address."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        if not services.claim_login_attempt(form.email.data):
            form.form_errors.append(
                f"Demasiados intentos fallidos con esta cuenta. Por seguridad, espere "
                f"{services.login_lock_minutes()} minutos antes de volver a intentarlo, o use "
                "«¿Olvidó su contraseña?» para recibir un enlace por correo.")
            return render_template("accounts/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            services.release_login_attempt(form.email.data)
            session.clear()
            login_user(user)
            target = request.args.get("next")
            return redirect(target if _is_safe_next(target) else url_for("accounts.dashboard"))
        form.form_errors.append("Correo o contraseña incorrectos.")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


def _reset_limit():
    from flask import current_app

    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/contrasena/olvido", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    """Ask for a password-reset link by e-mail; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/forgot_password_sent.html", email=form.email.data,
                               minutes=services.password_reset_minutes())
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/contrasena/restablecer/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    """Choose a new password from the e-mailed link (works once, expires)."""
    try:
        user = services.user_for_reset_token(token)
    except DomainError as exc:
        return render_template("accounts/reset_password.html", form=None, error=exc.message), exc.status
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Contraseña actualizada. Entre con su nueva contraseña.", "success")
            return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset_password.html", form=form, user=user, error=None), status


@bp.post("/salir")
@public
def logout():
    """Log out (POST with CSRF, so a link elsewhere cannot log people out)."""
    logout_user()
    session.clear()
    flash("Sesión cerrada.", "info")
    return redirect(url_for("events.home"))


@bp.get("/inicio")
@staff_required
def dashboard():
    """Start page after login: organizers go to their events; staff see the events they work."""
    if current_user.is_organizer:
        return redirect(url_for("events.manage_list"))
    return render_template("accounts/staff_home.html", events=current_user.events)


@bp.get("/gestion/cuentas")
@organizer_required
def manage_users():
    """List accounts."""
    users = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("accounts/manage/users.html", users=users)


def _user_form(user=None):
    form = UserForm(obj=user) if request.method == "GET" and user else UserForm()
    if request.method == "GET" and user:
        form.events.data = [e.id for e in user.events]
        form.role.data = user.role.value
    form.events.choices = [(e.id, e.title) for e in list_events()]
    return form


def _selected_events(form):
    ids = form.events.data or []
    return db.session.scalars(select(Event).where(Event.id.in_(ids))).all() if ids else []


@bp.route("/gestion/cuentas/nueva", methods=["GET", "POST"])
@organizer_required
def manage_user_new():
    """Create an account."""
    form = _user_form()
    if form.validate_on_submit():
        try:
            services.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                 password=form.password.data or "", events=_selected_events(form),
                                 actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Cuenta creada.", "success")
            return redirect(url_for("accounts.manage_users"))
    return _render(form, None)


@bp.route("/gestion/cuentas/<int:user_id>", methods=["GET", "POST"])
@organizer_required
def manage_user_edit(user_id):
    """Edit an account (name, role, status, events) and set its password."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    del form.password
    form.email.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, role=form.role.data, active=form.active.data,
                                 events=_selected_events(form), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Cuenta actualizada.", "success")
            return redirect(url_for("accounts.manage_users"))
    return _render(form, user)


@bp.route("/gestion/cuentas/<int:user_id>/contrasena", methods=["GET", "POST"])
@organizer_required
def manage_user_password(user_id):
    """Set an account's password."""
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data, actor=current_user)
        if user.id == current_user.id:
            login_user(user)  # keep this session; others end
        flash("Contraseña actualizada.", "success")
        return redirect(url_for("accounts.manage_users"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/manage/password.html", form=form, user=user), status


@bp.post("/gestion/cuentas/<int:user_id>/enlace-contrasena")
@organizer_required
def manage_user_reset_link(user_id):
    """E-mail an account a link to choose its own password."""
    user = db.get_or_404(User, user_id)
    try:
        services.send_password_reset(user, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Enviamos a {user.email} un enlace para elegir contraseña "
              f"(caduca en {services.password_reset_minutes()} minutos).", "success")
    return redirect(url_for("accounts.manage_user_edit", user_id=user.id))


def _render(form, user):
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/manage/user_form.html", form=form, user=user), status


@bp.route("/gestion/tokens", methods=["GET", "POST"])
@organizer_required
def manage_tokens():
    """List API tokens and issue a new one (shown once)."""
    form = TokenForm()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in users]
    new_token = None
    status = 200
    if form.validate_on_submit():
        user = db.get_or_404(User, form.user_id.data)
        _row, new_token = services.create_token(user, form.label.data, actor=current_user)
        form = TokenForm(formdata=None)
        form.user_id.choices = [(u.id, f"{u.name} ({u.email})") for u in users]
    elif form.is_submitted():
        status = 422
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                          ApiToken.created_at.desc())).all()
    return render_template("accounts/manage/tokens.html", form=form, tokens=tokens, new_token=new_token), status


@bp.post("/gestion/tokens/<int:token_id>/revocar")
@organizer_required
def manage_token_revoke(token_id):
    """Revoke a token."""
    row = db.get_or_404(ApiToken, token_id)
    services.revoke_token(row, actor=current_user)
    flash("Token revocado: dejó de funcionar.", "success")
    return redirect(url_for("accounts.manage_tokens"))



