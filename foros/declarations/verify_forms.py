"""The public verification page's upload form."""

from flask_wtf.file import FileField

from foros.core.forms import BaseForm


class VerifyUploadForm(BaseForm):
    """Upload a PDF to compare with the registered final document."""

    archivo = FileField("Archivo PDF de la declaratoria", render_kw={"accept": ".pdf,application/pdf"})
