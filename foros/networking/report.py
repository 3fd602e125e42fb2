"""The networking conclusions' section of the event report: each session's numbered published conclusions,
with tables of origin and supports."""

from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph

from foros.networking.consolidation import networking_sessions, published_conclusions, relatoria_of
from foros.networking.relatoria import conclusions_story, tables_table

TITLE = "Conclusiones del networking"


def conclusions_section(event, ctx) -> list | None:
    """Per networking session with published conclusions: its tables and the numbered list; None if none."""
    story = []
    for session in networking_sessions(event):
        if not published_conclusions(session):
            continue
        data = relatoria_of(session)
        story += [Paragraph(escape(session.title), ctx.styles["heading"]),
                  tables_table(data, ctx.styles, ctx.width),
                  *conclusions_story(data, ctx.styles, ctx.width)]
    return story or None
