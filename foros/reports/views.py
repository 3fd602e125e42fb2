"""The organizer's download of an event's report."""

from flask import Response

from foros.accounts.auth import organizer_required
from foros.events import services as events
from foros.reports import bp
from foros.reports.document import event_report_pdf


@bp.get("/gestion/eventos/<slug>/informe.pdf")
@organizer_required
def event_report(slug):
    """The event report ("informe") as a PDF download."""
    event = events.get_event(slug)
    return Response(event_report_pdf(event), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="informe-{event.slug}.pdf"',
        "Cache-Control": "private, no-store",
    })
