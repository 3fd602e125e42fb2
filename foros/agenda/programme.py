"""The released programme as plain data: what public pages, feeds, the PDF, the API and the report read.

A release's snapshot (``ProgrammeRelease.snapshot``, written by ``foros.agenda.releases``) is JSON:
``{"sessions": [{"uid", "title", "type", "type_key", "day", "starts_at", "ends_at", "room", "modality",
"status", "description", "capacity", "link", "sequence", "last_modified", "people": [{"key", "name", "cargo",
"institution", "role"}…]}…], "changes": [{"uid", "title", "kinds": [...], "before": {...}}…]}`` — times ISO
8601 in UTC. ``link`` is the session's private online link as released: only the personal feed and the ticket
page of registrants of the virtual modality read it (``ReleasedSession.link``); public pages, the public feed,
the API and the PDF never do.

Nothing here touches the database: the functions take snapshots (dicts) and return dataclasses, so the diff
between two releases is a pure function, tested on its own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from foros.agenda.models import SESSION_ROLE_LABELS, SessionRole
from foros.core.time import as_utc

#: Kinds of change between two releases, in the order they are told; ``link`` is private (never on public pages).
NEW, CANCELLED, MOVED, ROOM, LINK, UPDATED = "new", "cancelled", "moved", "room", "link", "updated"
#: The marks the public programme shows for each kind (a changed link reads «actualizado» there).
PUBLIC_MARKS = {NEW: "nuevo", CANCELLED: "cancelado", MOVED: "cambió de sala/horario",
                ROOM: "cambió de sala/horario", LINK: "actualizado", UPDATED: "actualizado"}
#: Changes that e-mail the attendees and the people concerned (a session moved, cancelled or with a new link).
NOTIFIED = frozenset({CANCELLED, MOVED, ROOM, LINK})
#: The fields whose change makes a session «actualizado» (times, room and link have kinds of their own).
_CONTENT_FIELDS = ("title", "type", "modality", "description", "capacity", "people")


@dataclass(frozen=True)
class ReleasedPerson:
    """A person on a released session."""

    key: str
    name: str
    cargo: str
    institution: str
    role: str

    @property
    def role_label(self) -> str:
        try:
            return SESSION_ROLE_LABELS[SessionRole(self.role)]
        except ValueError:
            return self.role

    @property
    def affiliation(self) -> str:
        """«Cargo, Institución» (either may be missing)."""
        return ", ".join(part for part in (self.cargo, self.institution) if part)


@dataclass(frozen=True)
class ReleasedSession:
    """One session of a released programme."""

    uid: str
    title: str
    type: str
    type_key: str
    day: date
    starts_at: datetime
    ends_at: datetime
    room: str
    modality: str
    status: str
    description: str
    capacity: int | None
    #: PRIVATE online link: only for registrants of the virtual modality (personal feed, ticket page).
    link: str
    sequence: int
    last_modified: datetime
    people: tuple[ReleasedPerson, ...] = ()
    #: Public marks of the changes in this release («nuevo», «cancelado», …); empty when unchanged.
    marks: tuple[str, ...] = ()

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def modality_label(self) -> str:
        return {"presencial": "Presencial", "virtual": "Virtual", "hibrida": "Híbrida"}.get(self.modality,
                                                                                            self.modality)

    def serves(self, attendance_modality: str) -> bool:
        """Whether an attendee of ``presencial`` or ``virtual`` follows this session (hybrid: both)."""
        return self.modality == "hibrida" or self.modality == attendance_modality


@dataclass(frozen=True)
class Change:
    """What one release changed in one session."""

    uid: str
    title: str
    kinds: tuple[str, ...]
    #: Day, times and room before the change (empty for a new session).
    before: dict = field(default_factory=dict)

    @property
    def public_marks(self) -> tuple[str, ...]:
        marks = []
        for kind in self.kinds:
            mark = PUBLIC_MARKS[kind]
            if mark not in marks:
                marks.append(mark)
        return tuple(marks)

    @property
    def notified(self) -> bool:
        return bool(NOTIFIED & set(self.kinds))

    @property
    def moved(self) -> bool:
        return MOVED in self.kinds or ROOM in self.kinds

    @property
    def before_day(self) -> date | None:
        return date.fromisoformat(self.before["day"]) if self.before.get("day") else None

    @property
    def before_starts_at(self) -> datetime | None:
        return _moment(self.before.get("starts_at"))

    @property
    def before_ends_at(self) -> datetime | None:
        return _moment(self.before.get("ends_at"))


@dataclass(frozen=True)
class Programme:
    """A release read back: its sessions (with this release's marks), changes, number, note and date."""

    number: int
    published_at: datetime
    note: str
    sessions: tuple[ReleasedSession, ...]
    changes: tuple[Change, ...]

    def days(self) -> list[tuple[date, list[ReleasedSession]]]:
        """The sessions grouped by day, in time order."""
        ordered = sorted(self.sessions, key=lambda s: (s.day, s.starts_at, s.title))
        return [(day, list(items)) for day, items in groupby(ordered, key=lambda s: s.day)]

    def session(self, uid: str) -> ReleasedSession | None:
        return next((s for s in self.sessions if s.uid == uid), None)

    def sessions_of(self, person_key: str) -> list[ReleasedSession]:
        return [s for s in self.sessions if any(p.key == person_key for p in s.people)]


# --- Snapshot → plain data ---------------------------------------------------------------------------------


def _moment(text: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(text)) if text else None


def read_session(data: dict, marks: tuple[str, ...] = ()) -> ReleasedSession:
    """One snapshot session as a ``ReleasedSession``."""
    return ReleasedSession(
        uid=data["uid"], title=data["title"], type=data.get("type", ""), type_key=data.get("type_key") or "",
        day=date.fromisoformat(data["day"]), starts_at=_moment(data["starts_at"]),
        ends_at=_moment(data["ends_at"]), room=data.get("room", ""), modality=data.get("modality", "presencial"),
        status=data.get("status", "active"),
        description=data.get("description", ""), capacity=data.get("capacity"), link=data.get("link", ""),
        sequence=int(data.get("sequence", 0)), last_modified=_moment(data.get("last_modified")),
        people=tuple(ReleasedPerson(key=p["key"], name=p["name"], cargo=p.get("cargo", ""),
                                    institution=p.get("institution", ""), role=p.get("role", ""))
                     for p in data.get("people", [])),
        marks=marks,
    )


def read_changes(snapshot: dict) -> tuple[Change, ...]:
    return tuple(Change(uid=c["uid"], title=c["title"], kinds=tuple(c["kinds"]), before=c.get("before") or {})
                 for c in snapshot.get("changes", []))


def read_programme(number: int, published_at: datetime, note: str, snapshot: dict) -> Programme:
    """A release's snapshot as a ``Programme`` whose sessions carry this release's public marks."""
    changes = read_changes(snapshot)
    marks = {change.uid: change.public_marks for change in changes}
    sessions = tuple(read_session(s, marks.get(s["uid"], ())) for s in snapshot.get("sessions", []))
    return Programme(number=number, published_at=as_utc(published_at), note=note or "", sessions=sessions,
                     changes=changes)


# --- The difference between two releases ------------------------------------------------------------------


def _place(session: dict) -> dict:
    return {"day": session["day"], "starts_at": session["starts_at"], "ends_at": session["ends_at"],
            "room": session.get("room", "")}


def change_kinds(before: dict | None, after: dict) -> tuple[str, ...]:
    """The kinds of change from one released session to the next (``before`` None: it is new)."""
    if before is None or (before.get("status") == "cancelled" and after.get("status") != "cancelled"):
        return () if after.get("status") == "cancelled" else (NEW,)
    if after.get("status") == "cancelled":
        return () if before.get("status") == "cancelled" else (CANCELLED,)
    kinds = []
    if (before["day"], before["starts_at"], before["ends_at"]) != (after["day"], after["starts_at"],
                                                                    after["ends_at"]):
        kinds.append(MOVED)
    if before.get("room", "") != after.get("room", ""):
        kinds.append(ROOM)
    if before.get("link", "") != after.get("link", ""):
        kinds.append(LINK)
    if any(before.get(name) != after.get(name) for name in _CONTENT_FIELDS):
        kinds.append(UPDATED)
    return tuple(kinds)


def compare(previous: list[dict], current: list[dict]) -> tuple[list[dict], list[dict]]:
    """The sessions of a new release and its changes against the previous release's sessions.

    A session released before and since deleted from the draft stays in the release as cancelled, so the
    feeds tell calendars STATUS:CANCELLED instead of leaving it there; one cancelled before it was ever
    released is left out. Returns ``(sessions, changes)``; each change is ``{"uid", "title", "kinds",
    "before"}``.
    """
    before_by_uid = {s["uid"]: s for s in previous}
    sessions, changes = [], []
    for session in current:
        before = before_by_uid.pop(session["uid"], None)
        if before is None and session.get("status") == "cancelled":
            continue
        sessions.append(session)
        kinds = change_kinds(before, session)
        if kinds:
            changes.append({"uid": session["uid"], "title": session["title"], "kinds": list(kinds),
                            "before": _place(before) if before else {}})
    for gone in before_by_uid.values():  # released before, deleted from the draft since
        sessions.append({**gone, "status": "cancelled"})
        if gone.get("status") != "cancelled":
            changes.append({"uid": gone["uid"], "title": gone["title"], "kinds": [CANCELLED],
                            "before": _place(gone)})
    return sessions, changes
