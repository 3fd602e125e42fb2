"""The institute's identity — its name and logo — from the settings, for pages, the ticket PDF and e-mail."""

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

#: The neutral placeholder shipped with Foros (a generic building on the brand colour, no real trademark),
#: relative to the static folder; ``organizacion.png`` beside it is the same drawing for the PDF.
DEFAULT_LOGO = "img/organizacion.svg"
#: What reportlab can draw; an SVG logo is drawn from a PNG of the same name beside it.
_RASTER = {".png", ".jpg", ".jpeg"}
_IMAGES = _RASTER | {".svg", ".webp", ".gif"}


class IdentityError(RuntimeError):
    """The configured logo cannot be used (missing file, not an image); the message is Spanish."""


@dataclass(frozen=True)
class Identity:
    """Name and logo files of the organization that runs the forums."""

    name: str
    #: The logo shown on pages.
    logo: Path
    #: A PNG or JPEG for the ticket PDF; None when there is none (the PDF then shows the name only).
    pdf_logo: Path | None

    @property
    def logo_mimetype(self) -> str:
        return mimetypes.guess_type(self.logo.name)[0] or "application/octet-stream"


def load_identity(config, static_folder: str, project_root: str) -> Identity:
    """Read ``ORGANIZATION_NAME`` and ``ORGANIZATION_LOGO`` (a path, relative ones from the project folder)."""
    name = " ".join(str(config.get("ORGANIZATION_NAME") or "").split())
    configured = str(config.get("ORGANIZATION_LOGO") or "").strip()
    logo = Path(configured) if configured else Path(static_folder) / DEFAULT_LOGO
    if not logo.is_absolute():
        logo = Path(project_root) / logo
    if logo.suffix.lower() not in _IMAGES:
        raise IdentityError(f"FOROS_ORGANIZATION_LOGO debe ser una imagen SVG, PNG o JPEG: {logo}")
    if not logo.is_file():
        raise IdentityError(f"FOROS_ORGANIZATION_LOGO: no existe el archivo {logo}")
    if logo.suffix.lower() in _RASTER:
        pdf_logo = logo
    else:
        sibling = logo.with_suffix(".png")
        pdf_logo = sibling if sibling.is_file() else None
    return Identity(name=name, logo=logo, pdf_logo=pdf_logo)


def init_app(app, project_root: str) -> None:
    """Check the logo at start (a wrong path fails loudly, not on the first ticket) and expose the name to
    every template, e-mail included (e-mail is rendered straight from the Jinja environment)."""
    identity = load_identity(app.config, app.static_folder, project_root)
    app.extensions["foros.identity"] = identity
    app.jinja_env.globals["organization_name"] = identity.name


def current_identity() -> Identity:
    """The running app's identity."""
    return current_app.extensions["foros.identity"]
