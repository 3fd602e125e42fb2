"""The "Descargar todas (ZIP)" background job (run by the worker through foros.jobs)."""

import io

from foros.certificates import pdf, services
from foros.core.errors import DomainError
from foros.jobs.registry import JobResult

#: Registry key of the ZIP job (foros.jobs.registry, wired in create_app).
ZIP_JOB = "certificates_zip"


def build_zip(job, progress) -> JobResult:
    """Every live certificate of the job's event, one PDF each, in one ZIP."""
    event = job.event
    template = services.get_template(event) if event is not None else None
    if template is None:
        raise DomainError("no_template", "El evento ya no tiene plantilla de constancia.")
    certificates = services.live_certificates(event)
    if not certificates:
        raise DomainError("no_certificates", "No hay constancias vigentes que descargar.")
    progress(0, len(certificates))
    buffer = io.BytesIO()
    pdf.write_zip(certificates, template, buffer, progress)
    return JobResult(filename=f"constancias-{event.slug}.zip", mimetype="application/zip", data=buffer.getvalue())
