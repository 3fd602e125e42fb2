"""The organizer's "Publicar programa" form: an optional public note."""

from wtforms import TextAreaField
from wtforms.validators import Length

from foros.agenda.releases import NOTE_MAX
from foros.core.forms import BaseForm, strip_filter


class ReleaseForm(BaseForm):
    """Publish the draft as the next version."""

    note = TextAreaField("Nota pública (opcional)", filters=[strip_filter],
                         validators=[Length(max=NOTE_MAX, message=f"Hasta {NOTE_MAX} caracteres.")])
