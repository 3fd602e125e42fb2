"""Organizer forms of the consolidation page, the state agenda, and the attendee's support marks."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from foros.accounts.forms import MultiCheckboxField
from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.networking.models import CONCLUSION_TEXT_MAX
from foros.networking.state_agenda import TITLE_MAX


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class MoveForm(BaseForm):
    """Up or down one place."""

    direction = ChoiceField("Dirección", choices=[("up", "Subir"), ("down", "Bajar")])


class EditConclusionForm(BaseForm):
    """Wording and theme tags of a consolidated conclusion."""

    text = TextAreaField("Redacción", filters=[strip_filter],
                         validators=[InputRequired("Escriba el texto de la conclusión."),
                                     Length(max=CONCLUSION_TEXT_MAX)])
    themes = MultiCheckboxField("Temas", coerce=int)


class MergeForm(BaseForm):
    """Several consolidated conclusions into one; the first chosen keeps its place."""

    conclusions = MultiCheckboxField("Conclusiones a fusionar", coerce=int)
    text = TextAreaField("Redacción de la conclusión fusionada (opcional)", filters=[strip_filter],
                         validators=[Length(max=CONCLUSION_TEXT_MAX)])


class SplitForm(BaseForm):
    """Sources moved out into a new consolidated conclusion."""

    sources = MultiCheckboxField("Textos originales a separar", coerce=int)


class SupportForm(BaseForm):
    """The conclusions an attendee supports (one session)."""

    session_id = HiddenField()
    conclusions = MultiCheckboxField("Conclusiones que apoyo", coerce=int)


class AgendaForm(BaseForm):
    """A new state agenda."""

    title = StringField("Título", filters=[strip_filter],
                        validators=[InputRequired("Escriba el título."), Length(max=TITLE_MAX)])
    description = TextAreaField("Presentación", filters=[strip_filter], validators=[Length(max=5000)])


class AddItemsForm(BaseForm):
    """Published conclusions added to a state agenda."""

    conclusions = MultiCheckboxField("Conclusiones publicadas", coerce=int)


class ItemThemeForm(BaseForm):
    """The theme an agenda item is grouped under."""

    theme = ChoiceField("Tema", coerce=int)
