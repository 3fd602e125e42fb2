"""Form helpers shared by all domains."""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import get_translations
from wtforms.meta import DefaultMeta
from wtforms.validators import Length

from foros.core.text import clean_text


class SpanishTranslations:
    """WTForms' own messages in Spanish.

    Flask-WTF translates only through Flask-Babel, which Foros does not use, so without this people would read
    "Not a valid date value." Clearer wording overrides WTForms' bundled Spanish catalogue where it is awkward.
    """

    MESSAGES = {
        "This field is required.": "Este dato es obligatorio.",
        "Not a valid integer value.": "Escriba un número entero, sin letras.",
        "Not a valid decimal value.": "Escriba un número, sin letras.",
        "Not a valid float value.": "Escriba un número, sin letras.",
        "Not a valid date value.": "Fecha no válida (use el formato AAAA-MM-DD).",
        "Not a valid time value.": "Hora no válida (use el formato HH:MM).",
        "Not a valid datetime value.": "Fecha y hora no válidas.",
        "Not a valid choice.": "Elija una opción de la lista.",
        "Invalid Choice: could not coerce.": "Elija una opción de la lista.",
        "Invalid choice(s): one or more data inputs could not be coerced.": "Elija opciones de la lista.",
        "'%(value)s' is not a valid choice for this field.": "Elija opciones de la lista («%(value)s» no es una).",
        "'%(value)s' are not valid choices for this field.": "Elija opciones de la lista («%(value)s» no lo son).",
        "Field cannot be longer than %(max)d character.": "Máximo %(max)d carácter.",
        "Field cannot be longer than %(max)d characters.": "Máximo %(max)d caracteres.",
        "Field must be at least %(min)d character long.": "Mínimo %(min)d carácter.",
        "Field must be at least %(min)d characters long.": "Mínimo %(min)d caracteres.",
        "Field must be between %(min)d and %(max)d characters long.": "Entre %(min)d y %(max)d caracteres.",
    }

    def __init__(self):
        self._catalogue = get_translations(["es"])

    def gettext(self, string):
        return self.MESSAGES.get(string) or self._catalogue.gettext(string)

    def ngettext(self, singular, plural, n):
        return self.MESSAGES.get(singular if n == 1 else plural) or self._catalogue.ngettext(singular, plural, n)


_SPANISH = SpanishTranslations()


def _bind_clean(meta, form, unbound_field, options):
    """Every text field of every form drops control and bidi-control characters (``clean_text``) before its
    own filters and validators; passwords are taken as typed."""
    if issubclass(unbound_field.field_class, StringField) and not issubclass(unbound_field.field_class,
                                                                              PasswordField):
        options = {**options, "filters": (clean_text, *(unbound_field.kwargs.get("filters") or ()))}
    return DefaultMeta.bind_field(meta, form, unbound_field, options)


#: The longest value a refused form shows back as typed: twice the longest text field (5,000 characters), room
#: to see and trim an overflow. Nobody types more; a longer value comes back cut to its field's limit, so a
#: 100 KB name does not return in a 100 KB page (bodies over MAX_FORM_MEMORY_SIZE get the 413 page).
ECHO_MAX_CHARS = 10_000


def _text_limit(field) -> int | None:
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
    return min(limits) if limits else None


def trim_echo(fields) -> None:
    """Cut text values longer than ``ECHO_MAX_CHARS`` to their field's limit before a refused form is shown
    again (repeated groups included); only after validation, so nothing valid is ever shortened."""
    for field in fields:
        if isinstance(field, FormField | FieldList):
            trim_echo(field)
        elif (isinstance(field, StringField) and isinstance(field.data, str)
              and len(field.data) > ECHO_MAX_CHARS):
            field.data = field.data[:_text_limit(field) or ECHO_MAX_CHARS]
            field.raw_data = [field.data]


class BaseForm(FlaskForm):
    """Every Foros form: Flask-WTF (CSRF) with WTForms' messages in Spanish."""

    #: Service field names that differ from this form's (e.g. ``municipality_key`` → ``municipality``).
    FIELD_ALIASES: dict[str, str] = {}
    #: Service fields whose messages belong in the summary at the top rather than next to an input.
    SUMMARY_FIELDS: frozenset[str] = frozenset()

    class Meta:
        def get_translations(self, form):
            return _SPANISH

        def bind_field(self, form, unbound_field, options):
            return _bind_clean(self, form, unbound_field, options)

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation; a refused form keeps what was typed, within ``ECHO_MAX_CHARS`` per field."""
        valid = super().validate(extra_validators)
        if not valid:
            trim_echo(self)
        return valid

    def show_error(self, exc) -> None:
        """Show a service's DomainError: each field's messages next to it, anything else in the summary."""
        trim_echo(self)
        if not exc.fields:
            self.form_errors.append(exc.message)
        self.apply_errors(exc.fields)

    def apply_errors(self, fields: dict) -> None:
        """Put per-field messages on the matching inputs (unknown names go to the summary)."""
        for name, messages in fields.items():
            target = getattr(self, self.FIELD_ALIASES.get(name, name), None)
            if target is None or name in self.SUMMARY_FIELDS:
                self.form_errors.extend(messages)
            else:
                target.errors = list(target.errors) + list(messages)


class FilterForm(BaseForm):
    """The filters of a list page, read from the query string (GET: no CSRF, it changes nothing).

    A select left out of the address (the page as first opened, a link naming only some filters) means "all",
    the empty choice every filter select starts with; WTForms would otherwise judge its missing value "not a
    valid choice" and print an error under every filter.
    """

    class Meta:
        csrf = False

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        for f in self:
            if isinstance(f, SelectField) and not isinstance(f, SelectMultipleField) and f.data is None:
                f.data = ""


class SubForm(Form):
    """A repeated group of fields inside a form (FormField); no CSRF of its own, Spanish messages."""

    class Meta:
        def get_translations(self, form):
            return _SPANISH

        def bind_field(self, form, unbound_field, options):
            return _bind_clean(self, form, unbound_field, options)


INVALID_CHOICE = "Elija una opción de la lista."


def _as_select_choices(choices):
    if choices is None or isinstance(choices, dict):
        return choices
    return [c if isinstance(c, SelectChoice) else SelectChoice(c[0], c[1]) for c in choices]


class _ChoicesMixin:
    """Accept (value, label) pairs anywhere choices are set, stored as WTForms' SelectChoice (3.3+)."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = _as_select_choices(value)


class ChoiceField(_ChoicesMixin, SelectField):
    """A select with a Spanish message when the value is not among the choices."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        kwargs["choices"] = _as_select_choices(kwargs.get("choices"))
        super().__init__(*args, **kwargs)


class MultiChoiceField(_ChoicesMixin, SelectMultipleField):
    """A multiple select (or list of checkboxes) with Spanish messages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        kwargs["choices"] = _as_select_choices(kwargs.get("choices"))
        super().__init__(*args, **kwargs)


def strip_filter(value):
    """Trim surrounding spaces from text inputs."""
    return value.strip() if isinstance(value, str) else value
