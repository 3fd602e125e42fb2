"""Forms for logging in and managing accounts and tokens."""

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from foros.accounts.models import Role
from foros.accounts.services import MIN_PASSWORD_LENGTH
from foros.core.forms import BaseForm, ChoiceField, MultiChoiceField, strip_filter
from foros.core.limits import MAX_LENGTH


class LoginForm(BaseForm):
    """E-mail and password."""

    email = EmailField("Correo electrónico", filters=[strip_filter],
                       validators=[InputRequired("Escriba su correo."), Length(max=MAX_LENGTH["email"])],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Contraseña", validators=[InputRequired("Escriba su contraseña."), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(BaseForm):
    """The e-mail of the account whose password was forgotten."""

    email = EmailField("Correo electrónico de su cuenta", filters=[strip_filter],
                       validators=[InputRequired("Escriba su correo."), Length(max=MAX_LENGTH["email"]),
                                   Email("Correo electrónico no válido.", check_deliverability=False)],
                       render_kw={"autocomplete": "username"})


class MultiCheckboxField(MultiChoiceField):
    """A list of checkboxes (assigning events to staff)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(BaseForm):
    """Create or edit an account."""

    name = StringField("Nombre", filters=[strip_filter], validators=[InputRequired("Escriba el nombre."),
                                                                     Length(max=200)])
    email = EmailField("Correo electrónico", filters=[strip_filter],
                       validators=[InputRequired("Escriba el correo."), Length(max=MAX_LENGTH["email"]),
                                   Email("Correo electrónico no válido.", check_deliverability=False)])
    #: New accounts start with the least power: staff (an organizer can do everything).
    role = ChoiceField("Rol", choices=[(r.value, r.label) for r in Role], default=Role.STAFF.value)
    active = BooleanField("Cuenta activa", default=True)
    events = MultiCheckboxField("Eventos asignados (solo personal de registro)", coerce=int, choices=[],
                                validate_choice=True)
    password = PasswordField(
        "Contraseña", description=f"Mínimo {MIN_PASSWORD_LENGTH} caracteres.",
        validators=[Length(max=200)], render_kw={"autocomplete": "new-password"},
    )


class PasswordForm(BaseForm):
    """Set a new password."""

    password = PasswordField("Nueva contraseña", description=f"Mínimo {MIN_PASSWORD_LENGTH} caracteres.",
                             validators=[InputRequired("Escriba la contraseña."),
                                         Length(min=MIN_PASSWORD_LENGTH,
                                                message=f"Mínimo {MIN_PASSWORD_LENGTH} caracteres."),
                                         Length(max=200, message="Máximo 200 caracteres.")],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repita la contraseña",
                            validators=[EqualTo("password", "Las contraseñas no coinciden.")],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(BaseForm):
    """Issue an API token for an account."""

    user_id = ChoiceField("Cuenta", coerce=int, choices=[])
    label = StringField("Etiqueta", filters=[strip_filter], description="Por ejemplo: «Escáner puerta 1».",
                        validators=[Length(max=100)])
