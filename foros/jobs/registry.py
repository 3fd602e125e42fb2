"""Which function does the work of each kind of job; filled by the domains from ``create_app``.

The jobs domain sits below the domains that use it (exports, certificates) and must not import them: each
registers its kinds here instead (``register_job_kind``), wired in ``foros.create_app``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobResult:
    """What a job produced: the file people download."""

    filename: str
    mimetype: str
    data: bytes


#: ``run(job, progress) -> JobResult``; ``progress(done, total)`` reports how far it got (see runner.Progress).
JobFunction = Callable[..., JobResult]

_KINDS: dict[str, JobFunction] = {}


def register_job_kind(kind: str, run: JobFunction) -> None:
    """Make ``kind`` runnable; registering the same function again is harmless (one registry per process)."""
    if _KINDS.get(kind, run) is not run:
        raise ValueError(f"job kind {kind!r} is already registered to another function")
    _KINDS[kind] = run


def job_function(kind: str) -> JobFunction | None:
    """The function registered for ``kind``, or None."""
    return _KINDS.get(kind)
