"""Public pages of networking conclusions: an event's numbered published conclusions and their relatoría
downloads; the attendee's support marks from the ticket link; the public state agenda."""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for

from foros.accounts.auth import public
from foros.core import transaction
from foros.core.errors import DomainError, NotFound
from foros.core.export import content_disposition, send_csv, send_xlsx
from foros.events.services import get_public_event
from foros.networking import agenda_document, consolidation, relatoria
from foros.networking import state_agenda as agendas
from foros.networking.consolidation_forms import SupportForm
from foros.registration import lifecycle

bp = Blueprint("networking_public", __name__)


def _published_sessions(event):
    return [(s, published) for s in consolidation.networking_sessions(event)
            if (published := consolidation.published_conclusions(s))]


@bp.get("/eventos/<slug>/conclusiones")
@public
def conclusions(slug):
    """The event's networking sessions with their numbered published conclusions and tables of origin."""
    event = get_public_event(slug)
    return render_template("networking/conclusions.html", event=event, sessions=_published_sessions(event),
                           source_tables=consolidation.source_tables)


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


@bp.get("/eventos/<slug>/conclusiones/<int:session_id>/relatoria.<fmt>")
@public
def relatoria_download(slug, session_id, fmt):
    """The relatoría of a session with published conclusions: PDF, CSV, XLSX or JSON."""
    event = get_public_event(slug)
    session = consolidation.get_networking_session(event, session_id)
    if not consolidation.published_conclusions(session):
        raise NotFound("not_published", "Las conclusiones de esta sesión aún no se publican.")
    data = consolidation.relatoria_of(session)
    name = f"relatoria-{event.slug}-{session.id}"
    if fmt == "pdf":
        return _download(relatoria.relatoria_pdf(data), "application/pdf", f"{name}.pdf")
    if fmt == "csv":
        return send_csv(relatoria.COLUMNS, relatoria.export_rows(data), f"{name}.csv")
    if fmt == "xlsx":
        return send_xlsx(relatoria.COLUMNS, relatoria.export_rows(data), f"{name}.xlsx",
                         sheet_title="Conclusiones")
    if fmt == "json":
        response = jsonify(relatoria.as_json(data))
        response.headers["Content-Disposition"] = content_disposition(f"{name}.json")
        return response
    raise NotFound("format_not_found", "Formato no disponible.")


# --- Support from the ticket link --------------------------------------------------------------------------

def ticket_links(registration) -> list[tuple[str, str]]:
    """"Apoyar conclusiones" on the ticket page while a networking session has published conclusions open."""
    if not consolidation.supportable(registration):
        return []
    return [("Apoyar conclusiones del networking",
             url_for("networking_public.support", token=registration.access_token))]


@bp.route("/boleto/<token>/conclusiones", methods=["GET", "POST"])
@public
def support(token):
    """The attendee marks the published conclusions they support (one mark per person and conclusion)."""
    registration = lifecycle.get_by_token(token)
    open_sessions = consolidation.supportable(registration)
    form = SupportForm()
    if form.is_submitted():
        session = next((s for s, _c in open_sessions if str(s.id) == (form.session_id.data or "")), None)
        form.conclusions.choices = [(c.id, c.text) for _s, cs in open_sessions for c in cs]
        if session is None or not form.validate():
            flash("No pudimos guardar sus apoyos: la sesión ya cerró o la página caducó. Inténtelo de nuevo.",
                  "error")
            return redirect(url_for("networking_public.support", token=token))
        try:
            consolidation.set_supports(registration, session, form.conclusions.data or [])
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
        else:
            flash("Sus apoyos quedaron registrados.", "success")
        return redirect(url_for("networking_public.support", token=token))
    chosen = consolidation.supported_ids(registration)
    forms = []
    for session, published in open_sessions:
        marked = [c.id for c in published if c.id in chosen]
        session_form = SupportForm(formdata=None, data={"session_id": str(session.id), "conclusions": marked})
        session_form.conclusions.choices = [(c.id, f"{i}. {c.text}") for i, c in enumerate(published, start=1)]
        forms.append((session, session_form))
    response = Response(render_template("networking/support.html", registration=registration, forms=forms))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- The state agenda -------------------------------------------------------------------------------------

@bp.get("/agenda-estatal")
@public
def state_agenda():
    """The latest published state agenda, grouped by theme, each item traced to its events and tables."""
    agenda = agendas.current_public_agenda()
    document = agendas.agenda_document(agenda) if agenda else None
    others = [a for a in agendas.list_agendas() if a.published_at and a is not agenda]
    return render_template("networking/state_agenda.html", agenda=agenda, document=document, others=others,
                           origin_label=agenda_document.origin_label)


@bp.get("/agenda-estatal/<agenda_key>")
@public
def state_agenda_version(agenda_key):
    """A published state agenda by its key."""
    agenda = agendas.get_public_agenda(agenda_key)
    return render_template("networking/state_agenda.html", agenda=agenda, document=agendas.agenda_document(agenda),
                           others=[], origin_label=agenda_document.origin_label)


@bp.get("/agenda-estatal/<agenda_key>/agenda.<fmt>")
@public
def state_agenda_download(agenda_key, fmt):
    """The published state agenda as PDF or XLSX."""
    agenda = agendas.get_public_agenda(agenda_key)
    document = agendas.agenda_document(agenda)
    if fmt == "pdf":
        return _download(agenda_document.agenda_pdf(document), "application/pdf",
                         f"agenda-estatal-{agenda_key}.pdf")
    if fmt == "xlsx":
        return send_xlsx(agenda_document.COLUMNS, agenda_document.export_rows(document),
                         f"agenda-estatal-{agenda_key}.xlsx", sheet_title="Agenda estatal")
    raise NotFound("format_not_found", "Formato no disponible.")
