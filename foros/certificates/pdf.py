"""The certificate as a PDF: A4 landscape, like a diploma, readable printed in black and white; and the ZIP."""

import io
import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from foros.certificates.services import display_code, placeholder_values, render_body, verify_url
from foros.core import pdf
from foros.core.identity import current_identity

PAGE = landscape(A4)
MARGIN = 22 * mm
QR_SIZE = 26 * mm
SAMPLE_NAME = "Nombre de Ejemplo Apellido"


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = pdf.fonts()
    s = pdf.styles()
    return {
        "org": ParagraphStyle("CertOrg", parent=s["heading"], alignment=TA_CENTER, fontSize=13, leading=16),
        "title": ParagraphStyle("CertTitle", parent=s["title"], alignment=TA_CENTER, fontSize=28, leading=34,
                                spaceAfter=4),
        "lead": ParagraphStyle("CertLead", parent=s["body"], alignment=TA_CENTER, fontSize=12, leading=16),
        "name": ParagraphStyle("CertName", parent=s["big"], alignment=TA_CENTER, fontSize=26, leading=31),
        "body": ParagraphStyle("CertBody", parent=s["body"], alignment=TA_CENTER, fontSize=13, leading=18),
        "signer": ParagraphStyle("CertSigner", parent=s["body"], alignment=TA_CENTER, fontName=bold,
                                 fontSize=10.5, leading=13),
        "position": ParagraphStyle("CertPosition", parent=s["small"], alignment=TA_CENTER, fontSize=9,
                                   leading=11, textColor=colors.black),
        "small": ParagraphStyle("CertSmall", parent=s["small"], fontSize=8, leading=10, textColor=colors.black),
    }


@lru_cache(maxsize=4)
def _logo(path: str):
    return ImageReader(path)


def _frame(canvas, _doc):
    """A double border (dark enough to print in grey) around the page."""
    width, height = PAGE
    canvas.saveState()
    canvas.setStrokeColor(pdf.BRAND)
    canvas.setLineWidth(3)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(13 * mm, 13 * mm, width - 26 * mm, height - 26 * mm)
    canvas.restoreState()


def _footer(code: str | None, url: str):
    """QR and verification code in the bottom right corner, drawn on the canvas."""
    s = _styles()

    def draw(canvas, doc):
        _frame(canvas, doc)
        width, _height = PAGE
        x = width - MARGIN - QR_SIZE
        y = 17 * mm
        if code:
            pdf.draw_qr(canvas, url, x, y, QR_SIZE)
            text = (f"Código de verificación: <b>{escape(display_code(code))}</b><br/>"
                    f"Verifique esta constancia en {escape(url)}")
        else:
            text = "VISTA PREVIA — sin validez: la constancia emitida lleva aquí su código y QR de verificación."
        note = Paragraph(text, s["small"])
        note_width = 150 * mm
        _w, h = note.wrap(note_width, 30 * mm)
        note.drawOn(canvas, x - note_width - 4 * mm, y + (QR_SIZE - h) / 2)

    return draw


def render_certificate(event, template, *, name: str, institution: str = "", code: str | None = None) -> bytes:
    """One certificate as PDF bytes; ``code`` None gives a preview marked as such (no QR)."""
    s = _styles()
    identity = current_identity()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm,
                            bottomMargin=17 * mm + QR_SIZE + 4 * mm, title=f"{template.title} — {name}",
                            author=identity.name or "Foros", subject=event.title)
    values = placeholder_values(event, name=name, institution=institution)
    body = render_body(template.body, values, escape).replace("\n", "<br/>")
    story = []
    if identity.pdf_logo is not None:
        logo = _logo(str(identity.pdf_logo))
        iw, ih = logo.getSize()
        height = 16 * mm
        story.append(_Centered(logo, height * iw / ih, height))
    story += [
        Paragraph(escape(identity.name), s["org"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(template.title.upper()), s["title"]),
        Spacer(1, 2 * mm),
        Paragraph("Se otorga a", s["lead"]),
        Spacer(1, 2 * mm),
        Paragraph(escape(name), s["name"]),
        Spacer(1, 5 * mm),
        Paragraph(body, s["body"]),
        Spacer(1, 16 * mm),
        _signatures(template.signers or []),
    ]
    url = verify_url(code) if code else ""
    draw = _footer(code, url)
    doc.build(story, onFirstPage=draw, onLaterPages=draw)
    return buffer.getvalue()


def _signatures(signers: list[dict]):
    """One column per signer: a line to sign on, the name in bold, the position below."""
    s = _styles()
    if not signers:
        return Spacer(1, 1)
    width = min(82 * mm, (PAGE[0] - 2 * MARGIN) / len(signers))
    names = [Paragraph(escape(x["name"]), s["signer"]) for x in signers]
    positions = [Paragraph(escape(x["position"]), s["position"]) for x in signers]
    table = Table([names, positions], colWidths=[width] * len(signers))
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, 0), 3)]
    for col in range(len(signers)):
        style.append(("LINEABOVE", (col, 0), (col, 0), 0.8, colors.black))
    style += [("LEFTPADDING", (0, 0), (-1, -1), 5 * mm), ("RIGHTPADDING", (0, 0), (-1, -1), 5 * mm)]
    table.setStyle(TableStyle(style))
    return table


class _Centered(Spacer):
    """An image drawn centred on the line (platypus' Image needs a file per document; this reuses one)."""

    def __init__(self, image, width, height):
        super().__init__(1, height)
        self.image, self.img_width, self.img_height = image, width, height

    def wrap(self, avail_width, avail_height):
        self.avail_width = avail_width
        return avail_width, self.img_height

    def draw(self):
        x = (self.avail_width - self.img_width) / 2
        self.canv.drawImage(self.image, x, 0, self.img_width, self.img_height, mask="auto")


def certificate_pdf(certificate, template) -> bytes:
    """The PDF of an issued certificate."""
    registration = certificate.registration
    return render_certificate(certificate.event, template, name=certificate.holder_name,
                              institution=registration.organization or "", code=certificate.code)


def preview_pdf(event, template, registration=None) -> bytes:
    """A preview with a real attendee's name (or a sample name), marked as without validity."""
    name = registration.name if registration is not None else SAMPLE_NAME
    institution = registration.organization if registration is not None else "Institución de ejemplo"
    return render_certificate(event, template, name=name, institution=institution or "", code=None)


def certificate_filename(certificate) -> str:
    """'constancia-<event slug>-<code>.pdf' (no personal data in the name)."""
    return f"constancia-{certificate.event.slug}-{display_code(certificate.code)}.pdf"


def write_zip(certificates, template, target, progress=None) -> int:
    """Write every certificate's PDF into a ZIP at ``target`` (path or file); ``progress(done, total)`` after
    each. PDFs are stored, not deflated (already compressed). Returns how many were written."""
    total = len(certificates)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, certificate in enumerate(certificates, start=1):
            archive.writestr(certificate_filename(certificate), certificate_pdf(certificate, template))
            if progress is not None:
                progress(done, total)
    return total
