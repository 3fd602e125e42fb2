"""The declaration as a PDF (reportlab, the house style of foros.core.pdf): the body of a version, one signature
block per signatory, and on every page a footer with the verification code, its QR (the public verification
page) and "Página N de M". The final document adds the signatures in their blocks and the audit-trail
certificate page; sealing is foros.declarations.seal's job."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from foros.core.formatting import fmt_datetime
from foros.core.identity import current_identity
from foros.core.municipalities import get_municipality
from foros.core.pdf import BRAND, draw_qr, fonts, numbered_canvas, styles
from foros.core.urls import external_url
from foros.declarations.models import SigningMethod

PAGE = LETTER
MARGIN = 20 * mm
FOOTER_HEIGHT = 26 * mm
QR_SIZE = 20 * mm


def verification_url(declaration) -> str:
    """The public verification page of a declaration (what the footer's QR holds)."""
    return external_url("declarations_verify.verify_code", code=declaration.verification_code)


def display_code(code: str) -> str:
    """A verification code in groups of four, as printed ("ABCD-EFGH-…")."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _styles() -> dict[str, ParagraphStyle]:
    base = styles()
    regular, bold = fonts()
    return {
        **base,
        "justified": ParagraphStyle("DeclBody", parent=base["body"], alignment=4, spaceAfter=8),
        "block_name": ParagraphStyle("DeclName", parent=base["body"], fontName=bold, fontSize=10, leading=13,
                                     alignment=1),
        "block": ParagraphStyle("DeclBlock", parent=base["body"], fontSize=9, leading=11.5, alignment=1),
        "typed": ParagraphStyle("DeclTyped", parent=base["body"], fontName="Helvetica-Oblique", fontSize=18,
                                leading=22, alignment=1),
        "cell": ParagraphStyle("DeclCell", parent=base["small"], fontSize=7.5, leading=9.5),
    }


def _footer(declaration):
    url = verification_url(declaration)
    code = display_code(declaration.verification_code)
    regular, bold = fonts()

    def decorate(canvas, page: int, total: int) -> None:
        width, _height = PAGE
        canvas.saveState()
        canvas.setStrokeColor(BRAND)
        canvas.line(MARGIN, FOOTER_HEIGHT, width - MARGIN, FOOTER_HEIGHT)
        draw_qr(canvas, url, width - MARGIN - QR_SIZE, 4 * mm, QR_SIZE)
        canvas.setFont(bold, 8.5)
        canvas.drawString(MARGIN, 18 * mm, f"Código de verificación: {code}")
        canvas.setFont(regular, 7.5)
        canvas.drawString(MARGIN, 14 * mm, f"Verifique este documento en {url}")
        canvas.drawString(MARGIN, 10 * mm, current_identity().name)
        canvas.drawRightString(width - MARGIN - QR_SIZE - 4 * mm, 6 * mm, f"Página {page} de {total}")
        canvas.restoreState()

    return decorate


def _header(declaration, st) -> list:
    municipality = get_municipality(declaration.municipality_key)
    story = [Paragraph(escape(current_identity().name), st["small"]),
             Paragraph(escape(declaration.title), st["title"])]
    if municipality is not None:
        story.append(Paragraph(escape(f"{municipality.name}, Estado de México"), st["heading"]))
    story.append(Spacer(1, 4 * mm))
    return story


def _body(text: str, st) -> list:
    story = []
    for paragraph in [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]:
        if paragraph:
            story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), st["justified"]))
    return story


def _signature_mark(record, st):
    """What goes above the line of a signed block: the drawing, the typed name, or the autograph note."""
    if record is None:
        return Spacer(1, 18 * mm)
    if record.method == SigningMethod.ELECTRONIC and record.drawn_png:
        reader = ImageReader(io.BytesIO(record.drawn_png))
        width, height = reader.getSize()
        scale = min(60 * mm / max(width, 1), 18 * mm / max(height, 1))
        return Image(io.BytesIO(record.drawn_png), width=width * scale, height=height * scale)
    if record.method == SigningMethod.ELECTRONIC:
        return Paragraph(escape(record.typed_name or record.signatory.name), st["typed"])
    return Paragraph("Firma autógrafa en el documento impreso", st["block"])


def _signature_note(record) -> str:
    if record is None:
        return ""
    when = fmt_datetime(record.signed_at)
    if record.method == SigningMethod.ELECTRONIC:
        return f"Firmado electrónicamente el {when}"
    return f"Firma autógrafa registrada el {when}"


def _block(signatory, record, st) -> list:
    lines = [_signature_mark(record, st),
             Table([[""]], colWidths=[70 * mm], rowHeights=[1],
                   style=TableStyle([("LINEABOVE", (0, 0), (-1, -1), 0.8, colors.black)])),
             Paragraph(escape(signatory.name), st["block_name"])]
    for text in (signatory.position, signatory.institution, signatory.role.name if signatory.role else ""):
        if text:
            lines.append(Paragraph(escape(text), st["block"]))
    note = _signature_note(record)
    if note:
        lines.append(Paragraph(escape(note), st["block"]))
    return lines


def _signature_blocks(signatories, records: dict, st) -> list:
    """Signature blocks two per row (one column for a single signatory)."""
    cells = [_block(s, records.get(s.id), st) for s in signatories]
    if not cells:
        return []
    rows = [cells[i:i + 2] + ([""] if len(cells[i:i + 2]) == 1 and len(cells) > 1 else [])
            for i in range(0, len(cells), 2)]
    width = PAGE[0] - 2 * MARGIN
    columns = [width] if len(cells) == 1 else [width / 2, width / 2]
    story = [CondPageBreak(60 * mm), Spacer(1, 8 * mm)]
    for row in rows:
        table = Table([row], colWidths=columns)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 10)]))
        story.append(KeepTogether([table, Spacer(1, 6 * mm)]))
    return story


def _build(declaration, story: list, *, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=FOOTER_HEIGHT + 6 * mm, title=title,
                            author=current_identity().name, subject=f"Código {declaration.verification_code}")
    doc.build(story, canvasmaker=numbered_canvas(_footer(declaration)))
    return buffer.getvalue()


def render_document(declaration, version, *, records: dict | None = None) -> bytes:
    """The document of ``version``: header, body, one signature block per signatory (``records`` maps signatory
    id → SignatureRecord to place in its block; none when signing opens), footer on every page."""
    st = _styles()
    story = _header(declaration, st) + _body(version.body, st)
    story += _signature_blocks(declaration.signatories, records or {}, st)
    return _build(declaration, story, title=declaration.title)


def _trail_rows(events, st) -> list:
    header = ["Fecha y hora", "Evento", "Firmante", "IP", "Navegador", "Huella del documento (SHA-256)"]
    rows = [[Paragraph(escape(h), st["cell"]) for h in header]]
    for event in events:
        values = [fmt_datetime(event.at), event.kind.label, event.signatory.name if event.signatory else "",
                  event.ip, event.user_agent[:120], event.document_sha256]
        reason = (event.details or {}).get("reason")
        if reason:
            values[1] += f" — motivo: {reason}"
        rows.append([Paragraph(escape(str(v)), st["cell"]) for v in values])
    return rows


def certificate_story(declaration, version, events, st) -> list:
    """The certificate page: what was signed (version, hash), by whom, and the audit trail."""
    story = [PageBreak(), Paragraph("Certificado de firmas y registro de auditoría", st["title"]),
             Paragraph(escape(f"{declaration.title} — versión {version.number}"), st["heading"]),
             Paragraph(escape(f"Huella SHA-256 del documento firmado: {version.content_sha256 or ''}"),
                       st["small"]),
             Paragraph(escape(f"Código de verificación: {display_code(declaration.verification_code)}"),
                       st["small"]),
             Spacer(1, 4 * mm), Paragraph("Firmantes", st["heading"])]
    signer_rows = [[Paragraph(escape(h), st["cell"]) for h in ("Nombre", "Papel", "Estado", "Método", "Fecha")]]
    for signatory in declaration.signatories:
        signer_rows.append([Paragraph(escape(v), st["cell"]) for v in (
            signatory.name, signatory.role.name if signatory.role else "", signatory.status.label,
            signatory.method.label if signatory.method else "",
            fmt_datetime(signatory.signed_at) if signatory.signed_at else "")])
    width = PAGE[0] - 2 * MARGIN
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa3ab")),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])
    story.append(Table(signer_rows, colWidths=[w * width for w in (0.3, 0.25, 0.13, 0.17, 0.15)],
                       style=grid, repeatRows=1))
    story += [Spacer(1, 4 * mm), Paragraph("Registro de auditoría", st["heading"])]
    story.append(Table(_trail_rows(events, st), colWidths=[w * width for w in (0.13, 0.17, 0.15, 0.1, 0.2, 0.25)],
                       style=grid, repeatRows=1))
    story += [Spacer(1, 4 * mm), Paragraph(
        "Este archivo lleva un sello electrónico (PAdES) de la institución: cualquier lector de PDF indica si "
        "fue modificado después de sellarse. También puede cargarlo en la página de verificación.", st["small"])]
    return story


def render_final(declaration, version, records: dict, events) -> bytes:
    """The final document (before sealing): the version with each signature placed, then the certificate."""
    st = _styles()
    story = _header(declaration, st) + _body(version.body, st)
    story += _signature_blocks(declaration.signatories, records, st)
    story += certificate_story(declaration, version, events, st)
    return _build(declaration, story, title=declaration.title)
