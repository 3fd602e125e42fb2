"""The rapporteur's forms on the capture page (thin: ``foros.networking.capture`` judges the data)."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from foros.accounts.forms import MultiCheckboxField
from foros.core.forms import BaseForm, strip_filter
from foros.networking.models import BACKING_NOTE_MAX, CONCLUSION_TEXT_MAX


def int_or_none(value) -> int | None:
    """A hidden number as sent, or None when absent or not a number (the service then refuses it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ConclusionForm(BaseForm):
    """Add a conclusion, or edit one (then ``version`` says which version the edit was based on)."""

    text = TextAreaField("Conclusión", filters=[strip_filter], validators=[Length(max=CONCLUSION_TEXT_MAX)])
    themes = MultiCheckboxField("Temas", coerce=int)
    backing_sectors = StringField("Sectores que la respaldan (opcional)", filters=[strip_filter],
                                  validators=[Length(max=BACKING_NOTE_MAX)],
                                  description="Por ejemplo: sociedad civil y academia.")
    version = HiddenField()
    client_uuid = HiddenField()

    def set_themes(self, themes) -> None:
        self.themes.choices = [(t.id, t.name) for t in themes]


class DeleteForm(BaseForm):
    """Confirm removing a conclusion; carries the version the rapporteur saw."""

    version = HiddenField()


class MoveForm(BaseForm):
    """Up or down one place (only the CSRF token; the direction is the button pressed)."""
