"""Public registration: the form, the attendee's ticket page (see, edit, cancel), QR, PDF, calendar."""

from flask import Response, flash, redirect, render_template, request, url_for

from foros.accounts.auth import public
from foros.core import transaction
from foros.core.db import read_phase
from foros.core.errors import DomainError
from foros.core.municipalities import OTHER_STATE_LABEL, all_municipalities
from foros.events.services import get_public_event
from foros.extensions import limiter
from foros.registration import bp, codes, lifecycle, signup, tickets
from foros.registration.forms import RegistrationForm
from foros.registration.models import RegistrationSource, RegistrationStatus
from foros.registration.ticket_links import ticket_links


def _registration_limit():
    from flask import current_app

    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _render_form(event, form, status=200):
    return render_template("registration/form.html", event=event, form=form,
                           municipalities=all_municipalities(), other_state=OTHER_STATE_LABEL), status


@bp.route("/eventos/<slug>/registro", methods=["GET", "POST"])
@public
@limiter.limit(_registration_limit, methods=["POST"])
def register(slug):
    """The public registration form; on success, go to the ticket page."""
    with read_phase():  # on POST the event is read before the write lock is taken
        event = get_public_event(slug)
    if not event.registration_open():
        return render_template("registration/closed.html", event=event), 200 if request.method == "GET" else 409
    form = RegistrationForm().for_event(event)
    if form.validate_on_submit():
        try:
            result = signup.register_attendee(event, form.to_input(), source=RegistrationSource.ONLINE)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            if result.duplicate:
                return render_template("registration/duplicate.html", event=event), 200
            return redirect(url_for("registration.ticket", token=result.current.access_token))
    return _render_form(event, form, 422 if form.is_submitted() else 200)


@bp.get("/boleto/<token>")
@public
def ticket(token):
    """The attendee's ticket: QR, status, downloads, edit and cancel."""
    registration = lifecycle.get_by_token(token)
    return render_template("registration/ticket.html", reg=registration, event=registration.event,
                           position=signup.waitlist_position(registration),
                           code=codes.ticket_code(registration), statuses=RegistrationStatus,
                           extra_links=ticket_links(registration))


@bp.get("/boleto/<token>/qr.png")
@public
def ticket_qr(token):
    """The QR image of the signed code."""
    registration = lifecycle.get_by_token(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        return _ticket_unavailable(registration)  # no QR the door would refuse
    png = tickets.qr_png(codes.ticket_code(registration))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=86400"})


@bp.get("/boleto/<token>/boleto.pdf")
@public
def ticket_pdf(token):
    """The ticket as an A4 PDF (a waitlisted one says so and has no QR; a cancelled one has none)."""
    registration = lifecycle.get_by_token(token)
    if registration.status == RegistrationStatus.CANCELLED:
        return _ticket_unavailable(registration)
    return _attachment(tickets.ticket_pdf(registration), "application/pdf",
                       f"boleto-{registration.event.slug}.pdf")


@bp.get("/boleto/<token>/evento.ics")
@public
def ticket_ics(token):
    """The event as a calendar file (tentative while waitlisted; none once cancelled)."""
    registration = lifecycle.get_by_token(token)
    if registration.status == RegistrationStatus.CANCELLED:
        return _ticket_unavailable(registration)
    return _attachment(tickets.event_ics(registration), "text/calendar", f"{registration.event.slug}.ics")


def _ticket_unavailable(registration):
    """410 Gone with a page saying why there is no file to download, and a link back to the registration."""
    return render_template("registration/ticket_unavailable.html", reg=registration,
                           event=registration.event), 410


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A file the browser downloads (slugs are [a-z0-9-], so the name needs no quoting)."""
    # Personal data (name, ticket): no shared cache and no copy kept on disk by the browser.
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                      "Cache-Control": "private, no-store"})


@bp.route("/boleto/<token>/editar", methods=["GET", "POST"])
@public
def ticket_edit(token):
    """The attendee corrects their data."""
    registration = lifecycle.get_by_token(token)
    event = registration.event
    if registration.status == RegistrationStatus.CANCELLED:
        flash("Este registro está cancelado.", "error")
        return redirect(url_for("registration.ticket", token=token))
    if request.method == "POST":
        form = RegistrationForm().for_event(event, with_consent=False)
    else:
        form = RegistrationForm(data=RegistrationForm.data_for(registration)).for_event(event, with_consent=False)
    if form.validate_on_submit():
        try:
            lifecycle.update_registration(registration, form.to_input(), by_attendee=True)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Sus datos se actualizaron.", "success")
            return redirect(url_for("registration.ticket", token=token))
    status = 422 if form.is_submitted() else 200
    return render_template("registration/edit.html", event=event, form=form, reg=registration,
                           municipalities=all_municipalities(), other_state=OTHER_STATE_LABEL), status


@bp.route("/boleto/<token>/cancelar", methods=["GET", "POST"])
@public
def ticket_cancel(token):
    """The attendee cancels (a confirmation step first)."""
    registration = lifecycle.get_by_token(token)
    if request.method == "POST":
        try:
            lifecycle.cancel_registration(registration, by_attendee=True)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
        else:
            flash("Su registro quedó cancelado. Gracias por avisar: su lugar pasa a otra persona.", "success")
        return redirect(url_for("registration.ticket", token=token))
    return render_template("registration/cancel.html", reg=registration, event=registration.event)

