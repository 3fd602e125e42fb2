"""Event pages: the public home and event page, and the organizer's event management."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required, public
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.identity import current_identity
from foros.events import bp, services
from foros.events.forms import EventForm, event_form_data
from foros.events.models import EventStatus


@bp.get("/")
@public
def home():
    """Home: upcoming events first, then past ones."""
    upcoming, past = services.public_events()
    return render_template("events/home.html", upcoming=upcoming, past=past)


@bp.get("/logo")
@public
def organization_logo():
    """The institute's logo (FOROS_ORGANIZATION_LOGO, or the neutral placeholder)."""
    identity = current_identity()
    return send_file(identity.logo, mimetype=identity.logo_mimetype, max_age=86400)


@bp.get("/eventos/<slug>")
@public
def show(slug):
    """Public page of one event; organizers also see a draft or archived one, marked as a preview."""
    event = services.get_public_event(slug, preview=getattr(current_user, "is_organizer", False))
    return render_template("events/show.html", event=event, preview=not event.is_public)


@bp.get("/gestion/eventos")
@organizer_required
def manage_list():
    """Organizer list of every event, with its status: upcoming soonest first, then past most recent first."""
    status = request.args.get("estado", "")
    statuses = [EventStatus(status)] if status in {s.value for s in EventStatus} else None
    upcoming, past = services.organizer_events(statuses=statuses)
    return render_template("events/manage/list.html", upcoming=upcoming, past=past, status=status,
                           statuses=list(EventStatus))


@bp.route("/gestion/eventos/nuevo", methods=["GET", "POST"])
@organizer_required
def manage_new():
    """Create a draft event."""
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Evento creado como borrador. Revíselo y publíquelo cuando esté listo.", "success")
            return redirect(url_for("events.manage_edit", slug=event.slug))
    return _render_form(form, None)


@bp.route("/gestion/eventos/<slug>", methods=["GET", "POST"])
@organizer_required
def manage_edit(slug):
    """Edit an event."""
    event = services.get_event(slug)
    form = EventForm() if request.method == "POST" else EventForm(data=event_form_data(event))
    if form.validate_on_submit():
        try:
            services.update_event(event, form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = services.get_event(slug)
            form.show_error(exc)
        else:
            flash("Cambios guardados.", "success")
            return redirect(url_for("events.manage_edit", slug=event.slug))
    return _render_form(form, event)


def _render_form(form, event):
    status = 422 if form.is_submitted() else 200
    return render_template("events/manage/form.html", form=form, event=event), status


@bp.post("/gestion/eventos/<slug>/estado")
@organizer_required
def manage_status(slug):
    """Publish, close, archive or recover an event (one button each)."""
    event = services.get_event(slug)
    transition = request.form.get("accion", "")
    if transition not in services.TRANSITION_MESSAGES:
        abort(400)
    try:
        services.change_status(event, transition, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(services.TRANSITION_MESSAGES[transition], "success")
    return redirect(url_for("events.manage_edit", slug=event.slug))
