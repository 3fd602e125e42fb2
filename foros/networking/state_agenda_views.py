"""Organizer pages of the state agenda: create one, collect published conclusions of several events, group
them by theme, publish or withdraw."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.core import transaction
from foros.core.errors import DomainError
from foros.networking import consolidation
from foros.networking import state_agenda as agendas
from foros.networking.agenda_document import origin_label
from foros.networking.consolidation_forms import ActionForm, AddItemsForm, AgendaForm, ItemThemeForm

bp = Blueprint("networking_agenda", __name__)


def _back(agenda):
    return redirect(url_for("networking_agenda.detail", agenda_id=agenda.id))


@bp.route("/gestion/agenda-estatal", methods=["GET", "POST"])
@organizer_required
def index():
    """The state agendas, and a form for a new one."""
    form = AgendaForm()
    if form.validate_on_submit():
        try:
            agenda = agendas.create_agenda(form.title.data, form.description.data, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Agenda creada. Agregue las conclusiones publicadas que la forman.", "success")
            return _back(agenda)
    return render_template("networking/manage/agendas.html", agendas=agendas.list_agendas(), form=form), \
        422 if form.is_submitted() else 200


@bp.get("/gestion/agenda-estatal/<int:agenda_id>")
@organizer_required
def detail(agenda_id):
    """The agenda grouped by theme, and the published conclusions of every event that can be added."""
    agenda = agendas.get_agenda(agenda_id)
    present = {item.conclusion_id for item in agenda.items}
    candidates = agendas.candidate_conclusions()
    add_form = AddItemsForm()
    add_form.conclusions.choices = [(c.id, c.text) for _e, _s, cs in candidates for c in cs if c.id not in present]
    theme_choices = [(0, agendas.OTHER_THEMES)] + [(t.id, t.name) for t in consolidation.active_themes()]
    return render_template("networking/manage/agenda.html", agenda=agenda,
                           document=agendas.agenda_document(agenda),
                           candidates=candidates, present=present, add_form=add_form, action_form=ActionForm(),
                           theme_choices=theme_choices, origin_label=origin_label,
                           source_tables=consolidation.source_tables)


@bp.post("/gestion/agenda-estatal/<int:agenda_id>/agregar")
@organizer_required
def add(agenda_id):
    """Add the chosen published conclusions."""
    agenda = agendas.get_agenda(agenda_id)
    form = AddItemsForm()
    form.conclusions.choices = [(c.id, c.text) for _e, _s, cs in agendas.candidate_conclusions() for c in cs]
    if not form.validate_on_submit() or not form.conclusions.data:
        flash("Elija al menos una conclusión publicada.", "error")
        return _back(agenda)
    try:
        added = agendas.add_conclusions(agenda, form.conclusions.data, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"Conclusiones agregadas: {added}.", "success")
    return _back(agenda)


@bp.post("/gestion/agenda-estatal/<int:agenda_id>/elementos/<int:item_id>/tema")
@organizer_required
def item_theme(agenda_id, item_id):
    """Group an item under another theme."""
    agenda = agendas.get_agenda(agenda_id)
    form = ItemThemeForm()
    form.theme.choices = [(0, agendas.OTHER_THEMES)] + [(t.id, t.name) for t in consolidation.active_themes()]
    if not form.validate_on_submit():
        flash("Elija un tema de la lista.", "error")
        return _back(agenda)
    try:
        agendas.set_item_theme(agenda, item_id, form.theme.data or None, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    return _back(agenda)


@bp.post("/gestion/agenda-estatal/<int:agenda_id>/elementos/<int:item_id>/quitar")
@organizer_required
def remove(agenda_id, item_id):
    """Take an item out."""
    agenda = agendas.get_agenda(agenda_id)
    if ActionForm().validate_on_submit():
        try:
            agendas.remove_item(agenda, item_id, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
    return _back(agenda)


@bp.post("/gestion/agenda-estatal/<int:agenda_id>/publicar")
@organizer_required
def publish(agenda_id):
    """Publish (or re-publish) the agenda."""
    agenda = agendas.get_agenda(agenda_id)
    if ActionForm().validate_on_submit():
        try:
            agendas.publish_agenda(agenda, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
        else:
            flash("Agenda estatal publicada.", "success")
    return _back(agenda)


@bp.post("/gestion/agenda-estatal/<int:agenda_id>/retirar")
@organizer_required
def withdraw(agenda_id):
    """Back to draft."""
    agenda = agendas.get_agenda(agenda_id)
    if ActionForm().validate_on_submit():
        agendas.withdraw_agenda(agenda, actor=current_user)
        flash("Agenda retirada de la publicación.", "success")
    return _back(agenda)
