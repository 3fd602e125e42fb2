"""Transitional re-exports while callers move to the split modules (removed once none imports it).

The sign-up is ``signup.py`` (the hot path), a registration's life cycle ``lifecycle.py``, organizer tools
``manage.py``, the input and its validation ``inputs.py``.
"""

from foros.registration.codes import ticket_code, ticket_url  # noqa: F401
from foros.registration.inputs import (  # noqa: F401
    GENDER_KEYS,
    GENDER_OPTIONS,
    LIMITS,
    OTHER_STATE,
    RegistrationInput,
    modality_choices,
    normalize_email,
    validate_input,
)
from foros.registration.lifecycle import (  # noqa: F401
    anonymize_event,
    cancel_registration,
    count_identifiable,
    find_live_registration,
    get_by_token,
    get_event_registration,
    promote_waitlist,
    registration_counts,
    search_registrations,
    update_registration,
)
from foros.registration.manage import (  # noqa: F401
    MAX_SECTORS,
    PRIVACY_NOTICE_MAX,
    SECTOR_LABEL_MAX,
    ImportResult,
    import_registrations,
    register_by_organizer,
    resend_ticket,
    update_registration_settings,
)
from foros.registration.signup import (  # noqa: F401
    EventSnapshot,
    NewRegistration,
    RegistrationResult,
    get_signup_event,
    register_attendee,
    release_seat,
    take_seat,
    waitlist_position,
)
