"""Organizer pages of a networking session's conclusions: consolidation (originals side by side, edit, themes,
merge, split, reorder, approve, publish, history, support counts) and the relatoría downloads."""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.export import content_disposition, send_csv, send_xlsx
from foros.events.services import get_event
from foros.networking import consolidation as services
from foros.networking.consolidation_forms import (
    ActionForm,
    EditConclusionForm,
    MergeForm,
    MoveForm,
    SplitForm,
)
from foros.networking.relatoria import COLUMNS, as_json, export_rows, relatoria_pdf

bp = Blueprint("networking_consolidation", __name__)

BASE = "/gestion/eventos/<slug>/networking/<int:session_id>/conclusiones"


def _load(slug, session_id):
    event = get_event(slug)
    return event, services.get_networking_session(event, session_id)


def _back(event, session, anchor=""):
    return redirect(url_for("networking_consolidation.board", slug=event.slug, session_id=session.id) + anchor)


def _stale():
    flash("La sesión del formulario caducó; inténtelo de nuevo.", "error")


def _theme_choices():
    return [(t.id, t.name) for t in services.active_themes()]


@bp.get(BASE)
@organizer_required
def board(slug, session_id):
    """All tables' originals side by side, the consolidated list with history and supports, likely duplicates."""
    event, session = _load(slug, session_id)
    data = services.consolidation_board(session)
    merge_form = MergeForm()
    merge_form.conclusions.choices = [(c.id, c.text[:80]) for c in data.conclusions]
    return render_template("networking/manage/consolidation.html", event=event, session=session, board=data,
                           action_form=ActionForm(), merge_form=merge_form,
                           source_tables=services.source_tables, current_originals=services.current_originals)


def _attempt(event, session, action, success: str, anchor=""):
    """Run ``action``: a ``DomainError`` is undone and flashed at the top of the board; else ``success`` is flashed
    and the board opens at ``anchor`` (both may name ``{result}``, what the action returned)."""
    try:
        result = action()
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
        return _back(event, session)
    flash(success.format(result=result), "success")
    return _back(event, session, anchor.format(result=result))


def _run(event, session, action, success: str, anchor=""):
    if not ActionForm().validate_on_submit():
        _stale()
        return _back(event, session)
    return _attempt(event, session, action, success, anchor)


@bp.post(BASE + "/incorporar")
@organizer_required
def import_originals(slug, session_id):
    """Give each table original not yet consolidated its own consolidated conclusion."""
    event, session = _load(slug, session_id)
    return _run(event, session, lambda: services.import_originals(session, actor=current_user),
                "Conclusiones incorporadas: {result}.")


@bp.route(BASE + "/<int:conclusion_id>/editar", methods=["GET", "POST"])
@organizer_required
def edit(slug, session_id, conclusion_id):
    """Edit a consolidated conclusion's wording and themes; its history below."""
    event, session = _load(slug, session_id)
    conclusion = services.get_conclusion(session, conclusion_id)
    form = EditConclusionForm(data={"text": conclusion.text, "themes": [t.id for t in conclusion.themes]}
                              if not EditConclusionForm().is_submitted() else None)
    form.themes.choices = _theme_choices()
    split_form = SplitForm()
    split_form.sources.choices = [(s.id, f"Mesa {s.table.number}: {s.text[:120]}") for s in conclusion.sources]
    status = 200
    if form.validate_on_submit():
        try:
            services.edit_conclusion(conclusion, text=form.text.data, theme_ids=form.themes.data or [],
                                     actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
            status = 422
        else:
            flash("Conclusión guardada.", "success")
            return _back(event, session, f"#conclusion-{conclusion.id}")
    elif form.is_submitted():
        status = 422
    return render_template("networking/manage/conclusion.html", event=event, session=session,
                           conclusion=conclusion, form=form, split_form=split_form,
                           source_tables=services.source_tables), status


@bp.post(BASE + "/fusionar")
@organizer_required
def merge(slug, session_id):
    """Merge the chosen consolidated conclusions into the first one."""
    event, session = _load(slug, session_id)
    form = MergeForm()
    form.conclusions.choices = [(c.id, c.text) for c in services.consolidated_conclusions(session)]
    if not form.validate_on_submit():
        flash("Elija al menos dos conclusiones de esta sesión para fusionar.", "error")
        return _back(event, session)

    def merge_chosen():
        chosen = [services.get_conclusion(session, i) for i in form.conclusions.data]
        return services.merge_conclusions(chosen, actor=current_user, text=form.text.data or None)

    return _attempt(event, session, merge_chosen,
                    "Conclusiones fusionadas; la conclusión conserva los textos originales de cada mesa.",
                    "#conclusion-{result.id}")


@bp.post(BASE + "/<int:conclusion_id>/separar")
@organizer_required
def split(slug, session_id, conclusion_id):
    """Move chosen originals out into a new consolidated conclusion."""
    event, session = _load(slug, session_id)
    conclusion = services.get_conclusion(session, conclusion_id)
    form = SplitForm()
    form.sources.choices = [(s.id, s.text) for s in conclusion.sources]
    if not form.validate_on_submit():
        flash("Elija qué textos originales separar.", "error")
        return _back(event, session)
    return _attempt(event, session,
                    lambda: services.split_conclusion(conclusion, form.sources.data, actor=current_user),
                    "Conclusión separada en dos.", "#conclusion-{result.id}")


@bp.post(BASE + "/<int:conclusion_id>/mover")
@organizer_required
def move(slug, session_id, conclusion_id):
    """One place up or down."""
    event, session = _load(slug, session_id)
    conclusion = services.get_conclusion(session, conclusion_id)
    form = MoveForm()
    if not form.validate_on_submit():
        _stale()
        return _back(event, session)
    services.move_conclusion(conclusion, form.direction.data, actor=current_user)
    return _back(event, session, f"#conclusion-{conclusion.id}")


@bp.post(BASE + "/<int:conclusion_id>/aprobar")
@organizer_required
def approve(slug, session_id, conclusion_id):
    """Approve a conclusion."""
    event, session = _load(slug, session_id)
    conclusion = services.get_conclusion(session, conclusion_id)
    return _run(event, session, lambda: services.approve_conclusion(conclusion, actor=current_user),
                "Conclusión aprobada.", f"#conclusion-{conclusion.id}")


@bp.post(BASE + "/<int:conclusion_id>/reabrir")
@organizer_required
def reopen(slug, session_id, conclusion_id):
    """Back to draft."""
    event, session = _load(slug, session_id)
    conclusion = services.get_conclusion(session, conclusion_id)
    return _run(event, session, lambda: services.reopen_conclusion(conclusion, actor=current_user),
                "Conclusión devuelta a borrador.", f"#conclusion-{conclusion.id}")


@bp.post(BASE + "/publicar")
@organizer_required
def publish(slug, session_id):
    """Publish the approved conclusions."""
    event, session = _load(slug, session_id)
    return _run(event, session, lambda: services.publish_conclusions(session, actor=current_user),
                "Conclusiones publicadas: {result}.")


@bp.post(BASE + "/retirar")
@organizer_required
def withdraw(slug, session_id):
    """Take the conclusions off the public page."""
    event, session = _load(slug, session_id)
    return _run(event, session, lambda: services.withdraw_publication(session, actor=current_user),
                "Publicación retirada.")


@bp.get(BASE + "/relatoria.<fmt>")
@organizer_required
def relatoria(slug, session_id, fmt):
    """The relatoría: PDF, CSV, XLSX or JSON (published conclusions only)."""
    event, session = _load(slug, session_id)
    data = services.relatoria_of(session)
    name = f"relatoria-{event.slug}-{session.id}"
    if fmt == "pdf":
        response = Response(relatoria_pdf(data), mimetype="application/pdf")
        response.headers["Content-Disposition"] = content_disposition(f"{name}.pdf")
        return response
    if fmt == "csv":
        return send_csv(COLUMNS, export_rows(data), f"{name}.csv")
    if fmt == "xlsx":
        return send_xlsx(COLUMNS, export_rows(data), f"{name}.xlsx", sheet_title="Conclusiones")
    if fmt == "json":
        response = jsonify(as_json(data))
        response.headers["Content-Disposition"] = content_disposition(f"{name}.json")
        return response
    raise services.NotFound("format_not_found", "Formato no disponible.")
