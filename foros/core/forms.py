"""Form helpers shared by all domains."""

from wtforms import SelectField
from wtforms.validators import ValidationError


class ChoiceField(SelectField):
    """A select whose error message is Spanish when the value is not among the choices."""

    def pre_validate(self, form):
        if self.choices is not None and self.data not in {str(v) for v, _ in self.choices} | {
            v for v, _ in self.choices
        }:
            raise ValidationError("Elija una opción de la lista.")


def strip_filter(value):
    """Trim surrounding spaces from text inputs."""
    return value.strip() if isinstance(value, str) else value
