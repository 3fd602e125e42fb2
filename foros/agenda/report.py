"""The agenda's section of the event report: the released programme (version, note, changes) and its days."""

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from foros.agenda.pdf import day_tables
from foros.agenda.public import release_history
from foros.core.formatting import fmt_datetime, fmt_number

TITLE = "Programa"


def agenda_section(event, ctx) -> list | None:
    """The latest release's sessions by day, with its versions and what each changed; None before a release."""
    history = release_history(event)
    if not history:
        return None
    s = ctx.styles
    current = history[0]
    active = [x for x in current.sessions if not x.cancelled]
    people = {p.key for x in active for p in x.people}
    cancelled = len(current.sessions) - len(active)
    story = [Paragraph(
        f"Versión {current.number} del programa, publicada el "
        f"{escape(fmt_datetime(current.published_at, 'long'))}: {fmt_number(len(active))} sesiones, "
        f"{fmt_number(len(people))} participantes" + (f", {fmt_number(cancelled)} canceladas" if cancelled else "")
        + ".", s["body"])]
    if len(history) > 1:
        story += [Spacer(1, 3 * mm), Paragraph("Versiones publicadas", s["heading"])]
        for release in history:
            changed = len(release.changes)
            line = (f"<b>Versión {release.number}</b> ({escape(fmt_datetime(release.published_at))}): "
                    + ("primera publicación" if release.number == 1
                       else f"{fmt_number(changed)} sesiones con cambios"))
            if release.note:
                line += f". {escape(release.note)}"
            story.append(Paragraph(line, s["body"]))
    story += [Spacer(1, 4 * mm), *day_tables(current, s, ctx.width)]
    return story
