"""Import every model so that SQLAlchemy's metadata (and Alembic's autogenerate) sees the whole schema."""

from foros.accounts.models import ApiToken, LoginThrottle, User, staff_assignments  # noqa: F401
from foros.agenda.models import (  # noqa: F401
    Person,
    ProgrammeRelease,
    Room,
    Session,
    SessionPerson,
    SessionType,
)
from foros.attendance.models import AttendanceExportDefault  # noqa: F401
from foros.audit.models import AuditEntry  # noqa: F401
from foros.certificates.models import Certificate, CertificateTemplate  # noqa: F401
from foros.checkin.models import Checkin, CheckinList  # noqa: F401
from foros.declarations.models import (  # noqa: F401
    AuditTrailEvent,
    Declaration,
    DeclarationTemplate,
    DeclarationVersion,
    FinalDocument,
    Milestone,
    MunicipalProcess,
    OneTimeCode,
    ScannedCopy,
    Signatory,
    SignatoryRole,
    SignatureRecord,
    SigningLink,
)
from foros.events.models import Event, EventDay  # noqa: F401
from foros.jobs.models import BackgroundJob  # noqa: F401
from foros.mail.models import OutboxMessage  # noqa: F401
from foros.networking.models import (  # noqa: F401
    ConclusionHistory,
    ConclusionSupport,
    ConsolidatedConclusion,
    NetworkingTable,
    StateAgenda,
    StateAgendaItem,
    TableConclusion,
    TableSeat,
    Theme,
)
from foros.registration.models import Registration, registration_days  # noqa: F401
