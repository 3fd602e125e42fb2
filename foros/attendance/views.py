"""Organizer pages: the attendance export form; small exports answer at once, large ones go to the worker."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.attendance import bp, exports, services
from foros.attendance.forms import AttendanceExportForm
from foros.core import transaction
from foros.core.errors import DomainError
from foros.events.services import get_event
from foros.jobs.services import create_job


@bp.route("/gestion/eventos/<slug>/lista-de-asistencia", methods=["GET", "POST"])
@organizer_required
def manage_export(slug):
    """Choose people, columns and format; download (or follow the background job), or save the columns."""
    event = get_event(slug)
    form = AttendanceExportForm(event)
    if not form.validate_on_submit():
        return render_template("attendance/manage/export.html", event=event, form=form)
    try:
        if form.save_columns.data:
            services.save_default_columns(event, form.columns.data, actor=current_user)
            flash("Columnas guardadas como predeterminadas para este evento.", "success")
            return redirect(url_for("attendance.manage_export", slug=event.slug))
        scope = services.resolve(event, form.filters())
        columns = services.choose_columns(form.columns.data)
        fmt = form.format.data
        count = services.count_rows(scope)
        if exports.too_large_for_a_request(count):
            job = create_job(exports.JOB_KIND, requested_by=current_user, event=event, total=count,
                             title=f"Lista de asistencia ({services.FORMATS[fmt]}) — {event.title}",
                             params=exports.job_params(scope, columns, fmt))
            services.record_export(event, scope, columns, fmt, count, actor=current_user, via="background")
            return redirect(url_for("jobs.status", job_token=job.token))
        services.record_export(event, scope, columns, fmt, count, actor=current_user, via="web")
        return exports.send_export(scope, columns, fmt)
    except DomainError as error:
        transaction.discard()
        form.show_error(error)
        return render_template("attendance/manage/export.html", event=event, form=form), 422
