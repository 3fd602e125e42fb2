"""Organizer page "Publicar programa": what the draft changes against the latest release, the release button
with an optional public note, and the versions published so far."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.agenda import releases_bp as bp
from foros.agenda.public import release_history
from foros.agenda.release_forms import ReleaseForm
from foros.agenda.releases import pending_changes, release_programme
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.formatting import fmt_number
from foros.events.services import get_event


@bp.route("/gestion/eventos/<slug>/programa/publicar", methods=["GET", "POST"])
@organizer_required
def manage_release(slug):
    """Preview the changes of the draft and release it as the next numbered version."""
    event = get_event(slug)
    form = ReleaseForm()
    if form.validate_on_submit():
        try:
            result = release_programme(event, form.note.data or "", actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            told = result.attendees_notified + result.people_notified
            flash(f"Programa publicado: versión {result.release.number}."
                  + (f" Se avisó por correo a {fmt_number(told)} personas de los cambios." if told else ""),
                  "success")
            return redirect(url_for("agenda_releases.manage_release", slug=event.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("agenda/manage/release.html", event=event, form=form, changes=pending_changes(event),
                           history=release_history(event)), status
