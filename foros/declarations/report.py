"""The declarations' section of the event report: the forum's declaration(s) and each signatory's status."""

from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foros.core.formatting import fmt_datetime
from foros.declarations.models import Declaration, Signatory
from foros.extensions import db

TITLE = "Declaratoria conjunta"


def declarations_section(event, ctx) -> list | None:
    """Per declaration tied to the event: status, version, hash and a table of signatories; None if none."""
    declarations = list(db.session.scalars(
        select(Declaration).where(Declaration.event_id == event.id).order_by(Declaration.id)
        .options(selectinload(Declaration.versions),
                 selectinload(Declaration.signatories).selectinload(Signatory.role))))
    if not declarations:
        return None
    st = ctx.styles
    story = []
    for d in declarations:
        version = d.current_version
        facts = f"Estado: {d.status.label}"
        if version is not None:
            facts += f" · versión {version.number}"
        if d.status_reason:
            facts += f" · motivo: {d.status_reason}"
        story.append(Paragraph(escape(d.title), st["heading"]))
        story.append(Paragraph(escape(facts), st["body"]))
        if version is not None and version.content_sha256:
            story.append(Paragraph(escape(f"SHA-256: {version.content_sha256}"), st["small"]))
        cell = st["small"]
        rows = [[Paragraph(h, cell) for h in ("Firmante", "Rol", "Estado", "Fecha")]]
        for s in d.signatories:
            moment = s.signed_at or s.declined_at or s.viewed_at or s.invited_at
            status = s.status.label + (f" ({s.method.label})" if s.method else "")
            texts = (s.name, s.role.name if s.role else "—", status, fmt_datetime(moment) if moment else "—")
            rows.append([Paragraph(escape(text), cell) for text in texts])
        if len(rows) > 1:
            table = Table(rows, colWidths=[ctx.width * f for f in (0.34, 0.28, 0.2, 0.18)], repeatRows=1)
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("LINEBELOW", (0, 0), (-1, 0), 0.5, "#444444")]))
            story.append(table)
    return story
