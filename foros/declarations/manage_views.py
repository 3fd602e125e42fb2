"""Organizer pages of declarations: list, create from a template, edit, signatories, status changes; the
tracking board (filters, reminders, XLSX); the municipal process and the state-wide view; the editable
templates and signatory roles."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.export import send_xlsx
from foros.core.municipalities import get_municipality, municipality_choices
from foros.core.time import local_today
from foros.declarations import board, manage, process
from foros.declarations.manage_forms import (
    ActionForm,
    BoardFilterForm,
    DeclarationForm,
    MilestoneForm,
    RoleForm,
    SignatoryForm,
    TemplateForm,
    TransitionForm,
)
from foros.declarations.models import DeclarationStatus, MilestoneKind, MilestoneStatus
from foros.events.services import list_events
from foros.stats.maps import map_figure

bp = Blueprint("declarations_manage", __name__)

def _declaration_form(form: DeclarationForm) -> DeclarationForm:
    form.municipality_key.choices = [("", "Elija un municipio")] + municipality_choices()
    form.event_id.choices = [(0, "Ninguno")] + [(e.id, e.title) for e in list_events()]
    form.template_id.choices = manage.template_choices()
    return form


def _signatory_form(form: SignatoryForm, signatory=None) -> SignatoryForm:
    form.role_id.choices = [(0, "Sin rol")] + [(r.id, r.name if r.is_active else f"{r.name} (retirado)")
                                               for r in manage.roles_for_signatory(signatory)]
    return form


def _input(form) -> manage.DeclarationInput:
    return manage.DeclarationInput(municipality_key=form.municipality_key.data or "", title=form.title.data or "",
                                   place=form.place.data or "", signing_date=form.signing_date.data,
                                   event_id=form.event_id.data or None)


def _signatory_input(form) -> manage.SignatoryInput:
    return manage.SignatoryInput(name=form.name.data or "", position=form.position.data or "",
                                 institution=form.institution.data or "", role_id=form.role_id.data or None,
                                 email=form.email.data or "", signing_order=form.signing_order.data)


def _signatory_submitted(form: SignatoryForm, signatory=None) -> bool:
    """Whether the posted signatory form passes; when it does not, the service's checks run too, so every
    mistake (an empty name, a bad e-mail) shows at once beside the form's own (an order out of range)."""
    if form.validate_on_submit():
        return True
    if form.is_submitted():
        try:
            manage.check_signatory(_signatory_input(form),
                                   current_role_id=signatory.role_id if signatory is not None else None)
        except DomainError as exc:
            form.apply_errors({name: messages for name, messages in exc.fields.items()
                               if not getattr(getattr(form, name, None), "errors", None)})
    return False


@bp.get("/gestion/declaratorias")
@organizer_required
def index():
    """Every declaration, newest first."""
    return render_template("declarations/manage/list.html", declarations=manage.list_declarations(),
                           municipality=get_municipality)


@bp.route("/gestion/declaratorias/nueva", methods=["GET", "POST"])
@organizer_required
def create():
    """A new declaration from a template, its placeholders filled in."""
    form = _declaration_form(DeclarationForm())
    if form.validate_on_submit():
        try:
            template = manage.get_template(form.template_id.data) if form.template_id.data else None
            declaration = manage.create_declaration(_input(form), template, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Declaratoria creada en borrador. Revise el texto y agregue a las personas firmantes.",
                  "success")
            return redirect(url_for("declarations_manage.detail", declaration_id=declaration.id))
    return render_template("declarations/manage/new.html", form=form, placeholders=manage.PLACEHOLDERS), \
        422 if form.is_submitted() else 200


def _detail_page(declaration, form=None, signatory_form=None, transition_form=None, status=200):
    if form is None:
        form = _declaration_form(DeclarationForm(obj=declaration))
        form.event_id.data = declaration.event_id or 0
        version = declaration.current_version
        form.body.data = version.body if version else ""
    return render_template(
        "declarations/manage/detail.html", declaration=declaration, form=form,
        signatory_form=signatory_form or _signatory_form(SignatoryForm(formdata=None)),
        transition_form=transition_form or TransitionForm(formdata=None), action_form=ActionForm(),
        transitions=manage.available_transitions(declaration), transition_labels=manage.TRANSITION_LABELS,
        municipality=get_municipality(declaration.municipality_key), placeholders=manage.PLACEHOLDERS,
        statuses=DeclarationStatus), status


@bp.route("/gestion/declaratorias/<int:declaration_id>", methods=["GET", "POST"])
@organizer_required
def detail(declaration_id):
    """The declaration: its data and text (edit), signatories, status changes."""
    declaration = manage.get_declaration(declaration_id)
    if request.method == "GET":
        return _detail_page(declaration)
    form = _declaration_form(DeclarationForm())
    form.template_id.choices = [(0, "")]  # not edited here
    form.template_id.data = 0
    if form.validate_on_submit():
        try:
            manage.update_declaration(declaration, _input(form), form.body.data or "", actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Declaratoria guardada.", "success")
            return redirect(url_for("declarations_manage.detail", declaration_id=declaration.id))
    return _detail_page(manage.get_declaration(declaration_id), form=form, status=422)


@bp.post("/gestion/declaratorias/<int:declaration_id>/estado")
@organizer_required
def change_status(declaration_id):
    """Open signing, postpone, resume, cancel or restore."""
    declaration = manage.get_declaration(declaration_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _detail_page(declaration, transition_form=form, status=422)
    try:
        manage.change_status(declaration, form.transition.data or "", reason=form.reason.data or "",
                             expected_date=form.expected_date.data, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        form.show_error(exc)
        return _detail_page(manage.get_declaration(declaration_id), transition_form=form, status=exc.status
                            if exc.status != 400 else 422)
    flash(manage.TRANSITION_MESSAGES[form.transition.data], "success")
    return redirect(url_for("declarations_manage.detail", declaration_id=declaration.id))


@bp.post("/gestion/declaratorias/<int:declaration_id>/firmantes")
@organizer_required
def add_signatory(declaration_id):
    """Add a signatory."""
    declaration = manage.get_declaration(declaration_id)
    form = _signatory_form(SignatoryForm())
    if _signatory_submitted(form):
        try:
            manage.add_signatory(declaration, _signatory_input(form), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Persona firmante agregada.", "success")
            return redirect(url_for("declarations_manage.detail", declaration_id=declaration.id))
    return _detail_page(manage.get_declaration(declaration_id), signatory_form=form, status=422)


@bp.route("/gestion/declaratorias/<int:declaration_id>/firmantes/<int:signatory_id>", methods=["GET", "POST"])
@organizer_required
def edit_signatory(declaration_id, signatory_id):
    """Correct a signatory."""
    declaration = manage.get_declaration(declaration_id)
    signatory = manage.get_signatory(declaration, signatory_id)
    form = _signatory_form(SignatoryForm(obj=signatory), signatory)
    if request.method == "GET":
        form.role_id.data = signatory.role_id or 0
    elif _signatory_submitted(form, signatory):
        try:
            manage.update_signatory(signatory, _signatory_input(form), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Persona firmante guardada.", "success")
            return redirect(url_for("declarations_manage.detail", declaration_id=declaration.id))
    return render_template("declarations/manage/signatory.html", declaration=declaration, signatory=signatory,
                           form=form), 422 if form.is_submitted() else 200


def _signatory_action(declaration_id, signatory_id, action, done_message):
    declaration = manage.get_declaration(declaration_id)
    signatory = manage.get_signatory(declaration, signatory_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(signatory, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(done_message, "success")
    return redirect(request.form.get("next") == "board" and url_for("declarations_manage.board_page")
                    or url_for("declarations_manage.detail", declaration_id=declaration_id))


@bp.post("/gestion/declaratorias/<int:declaration_id>/firmantes/<int:signatory_id>/quitar")
@organizer_required
def remove_signatory(declaration_id, signatory_id):
    """Take out a signatory who has not signed."""
    return _signatory_action(declaration_id, signatory_id, manage.remove_signatory, "Persona firmante quitada.")


@bp.post("/gestion/declaratorias/<int:declaration_id>/firmantes/<int:signatory_id>/recordar")
@organizer_required
def remind(declaration_id, signatory_id):
    """Send a reminder with a fresh link now (one click)."""
    return _signatory_action(declaration_id, signatory_id, board.send_reminder,
                             "Recordatorio enviado con un enlace nuevo.")


# --- the tracking board ------------------------------------------------------------------------------------

def _board_filters():
    form = BoardFilterForm(formdata=request.args)
    form.status.choices = [("", "Todos")] + [(s.value, s.label) for s in DeclarationStatus]
    form.municipality.choices = [("", "Todos")] + municipality_choices()
    form.role.choices = [(0, "Todos")] + [(r.id, r.name) for r in manage.all_roles()]
    if not request.args:
        return form, board.BoardFilter(), True
    if not form.validate():
        return form, board.BoardFilter(), False
    return form, board.BoardFilter(status=form.status.data or "", municipality_key=form.municipality.data or "",
                                   role_id=form.role.data or None), True


@bp.get("/gestion/declaratorias/tablero")
@organizer_required
def board_page():
    """Each declaration's status, who is missing and for how long, reminders; filters."""
    form, filters, valid = _board_filters()
    rows = board.board_rows(filters)
    return render_template("declarations/manage/board.html", form=form, rows=rows,
                           counts=board.status_counts(rows), reminder_days=board.reminder_days(),
                           action_form=ActionForm(), query=request.query_string.decode()), 200 if valid else 422


@bp.get("/gestion/declaratorias/tablero.xlsx")
@organizer_required
def board_xlsx():
    """The board (one row per signatory) as XLSX, with the page's filters."""
    form, filters, valid = _board_filters()
    if not valid:
        abort(422)
    rows = board.board_rows(filters)
    return send_xlsx(board.BOARD_COLUMNS, board.export_rows(rows),
                     f"declaratorias-{local_today().isoformat()}.xlsx", sheet_title="Declaratorias")


# --- the municipal process ---------------------------------------------------------------------------------

STAGE_CHOICES = [("", "Todos"), ("none", "Sin proceso registrado")] + \
    [(k.value, f"Siguiente paso: {k.label}") for k in MilestoneKind] + [("done", "Camino completo")]


@bp.get("/gestion/proceso-municipal")
@organizer_required
def state_view():
    """Where each of the 125 municipalities stands: a table and the map."""
    stage = request.args.get("etapa", "")
    if stage not in dict(STAGE_CHOICES):
        stage = ""
    rows = process.state_rows()
    figure = map_figure(process.map_counts(rows), title="Avance del proceso municipal",
                        id_prefix="mapa-proceso", unit="pasos cumplidos")
    return render_template("declarations/manage/state.html", rows=process.at_stage(rows, stage), stage=stage,
                           stages=STAGE_CHOICES, path=process.PATH, map=figure)


@bp.route("/gestion/proceso-municipal/<municipality_key>", methods=["GET", "POST"])
@organizer_required
def municipality_process(municipality_key):
    """One municipality's path: each milestone's status, planned and actual dates, notes."""
    municipality = get_municipality(municipality_key)
    if municipality is None:
        abort(404)
    forms = {}
    status_choices = [(s.value, s.label) for s in MilestoneStatus]
    current = process.get_process(municipality_key)
    ordered = process.milestones_in_order(current)
    for kind, milestone in zip(process.PATH, ordered, strict=True):
        form = MilestoneForm(formdata=None, obj=milestone, prefix=kind.value)
        form.status.choices = status_choices
        if milestone is not None:
            form.status.data = milestone.status.value
        forms[kind] = form
    status = 200
    if request.method == "POST":
        kind_value = request.form.get("kind", "")
        if kind_value not in {k.value for k in MilestoneKind}:
            abort(400)
        kind = MilestoneKind(kind_value)
        form = MilestoneForm(prefix=kind.value)
        form.status.choices = status_choices
        forms[kind] = form
        if form.validate_on_submit():
            try:
                process.update_milestone(municipality_key, kind, process.MilestoneInput(
                    status=MilestoneStatus(form.status.data), planned_date=form.planned_date.data,
                    actual_date=form.actual_date.data, notes=form.notes.data or ""), actor=current_user)
            except DomainError as exc:
                transaction.discard()
                form.show_error(exc)
            else:
                flash(f"{kind.label}: guardado.", "success")
                return redirect(url_for("declarations_manage.municipality_process",
                                        municipality_key=municipality_key))
        status = 422
    return render_template("declarations/manage/process.html", municipality=municipality, forms=forms,
                           path=process.PATH, process=current,
                           declarations=manage.list_declarations(municipality_key=municipality_key)), status


# --- templates and signatory roles (the editable lists) ----------------------------------------------------

@bp.get("/gestion/declaratorias/plantillas")
@organizer_required
def templates():
    """The model texts declarations are made from."""
    return render_template("declarations/manage/templates.html", templates=manage.list_templates())


def _template_page(template):
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            saved = manage.save_template(template, name=form.name.data or "", title=form.title.data or "",
                                         body=form.body.data or "", is_active=form.is_active.data,
                                         actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Plantilla guardada.", "success")
            return redirect(url_for("declarations_manage.edit_template", template_id=saved.id))
    return render_template("declarations/manage/template.html", form=form, template=template,
                           placeholders=manage.PLACEHOLDERS), 422 if form.is_submitted() else 200


@bp.route("/gestion/declaratorias/plantillas/nueva", methods=["GET", "POST"])
@organizer_required
def create_template():
    """A new model text with placeholders."""
    return _template_page(None)


@bp.route("/gestion/declaratorias/plantillas/<int:template_id>", methods=["GET", "POST"])
@organizer_required
def edit_template(template_id):
    """Edit a model text (declarations already made keep their own text)."""
    return _template_page(manage.get_template(template_id))


def _roles_page(forms=None, new_form=None, status=200):
    roles = manage.all_roles()
    forms = forms or {}
    rows = [(role, forms.get(role.id) or RoleForm(formdata=None, obj=role, prefix=f"rol-{role.id}"))
            for role in roles]
    return render_template("declarations/manage/roles.html", rows=rows,
                           new_form=new_form or RoleForm(formdata=None, prefix="nuevo")), status


@bp.get("/gestion/declaratorias/roles")
@organizer_required
def roles():
    """The signatory roles: rename, reorder, retire, add."""
    return _roles_page()


def _save_role(role, form):
    if form.validate_on_submit():
        try:
            manage.save_role(role, form.name.data or "", form.position.data, form.is_active.data,
                             actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash("Rol guardado.", "success")
            return redirect(url_for("declarations_manage.roles"))
    return None


@bp.post("/gestion/declaratorias/roles")
@organizer_required
def add_role():
    """Add a signatory role."""
    form = RoleForm(prefix="nuevo")
    return _save_role(None, form) or _roles_page(new_form=form, status=422)


@bp.post("/gestion/declaratorias/roles/<int:role_id>")
@organizer_required
def edit_role(role_id):
    """Rename, reorder, retire or reactivate a signatory role."""
    role = manage.get_role(role_id)
    form = RoleForm(prefix=f"rol-{role.id}")
    return _save_role(role, form) or _roles_page(forms={role.id: form}, status=422)
