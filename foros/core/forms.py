"""Form helpers shared by all domains."""

from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

INVALID_CHOICE = "Elija una opción de la lista."


def _as_select_choices(choices):
    if choices is None or isinstance(choices, dict):
        return choices
    return [c if isinstance(c, SelectChoice) else SelectChoice(c[0], c[1]) for c in choices]


class _ChoicesMixin:
    """Accept (value, label) pairs anywhere choices are set, stored as WTForms' SelectChoice."""

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
