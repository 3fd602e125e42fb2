"""The declarations demo (issue 15, point 12): four municipalities' declarations in different states, Villa
Guerrero's signed and sealed with a demo seal the app finds in the instance folder, the processes with the calls
postponed by the 2023 elections; idempotent. The demo seal is never used in production."""

import asyncio
import io
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from foros.declarations import seal
from foros.declarations.models import (
    Declaration,
    DeclarationStatus,
    MilestoneKind,
    MilestoneStatus,
    SignatoryStatus,
    SignatureRecord,
    SigningMethod,
    TrailKind,
)
from foros.declarations.process import get_process, milestones_in_order
from foros.declarations.seal import SealUnavailable, check_seal, current_signer
from foros.demo.data import load_demo_data
from foros.extensions import db


@pytest.fixture
def instance(app):
    """The app's instance folder (the test's own, from conftest): the demo writes its seal there."""
    return Path(app.instance_path)


def _by_municipality():
    return {d.municipality_key: d for d in db.session.scalars(select(Declaration))}


def test_demo_declarations(app, client, instance):
    load_demo_data()
    db.session.commit()
    declarations = _by_municipality()
    assert set(declarations) == {"15113", "15121", "15060", "15031"}

    signed = declarations["15113"]  # Villa Guerrero: signed in person, sealed
    assert signed.status == DeclarationStatus.SIGNED and signed.event is not None
    assert all(s.status == SignatoryStatus.SIGNED and s.method == SigningMethod.AUTOGRAPH
               for s in signed.signatories)
    assert len(signed.signatories) >= 6
    # The demo made a self-signed seal in the instance folder, private to its owner, and the app found it.
    seal_file = instance / seal.DEMO_SEAL_FILE
    assert seal_file.is_file() and seal_file.stat().st_mode & 0o777 == 0o600
    final = signed.final_document
    assert final is not None
    check = check_seal(final.content)
    assert check.valid and check.intact and check.trusted and check.whole_file

    izcalli = declarations["15121"]  # en firma: signed electronically, seen, declined with a reason, invited
    assert izcalli.status == DeclarationStatus.SIGNING and izcalli.final_document is None
    statuses = sorted(s.status.value for s in izcalli.signatories)
    assert statuses == ["declined", "invited", "signed", "signed", "viewed"]
    electronic = [s for s in izcalli.signatories if s.status == SignatoryStatus.SIGNED]
    assert all(s.method == SigningMethod.ELECTRONIC for s in electronic)
    records = db.session.scalars(select(SignatureRecord).where(
        SignatureRecord.signatory_id.in_([s.id for s in electronic]))).all()
    assert len(records) == 2  # one drawn (a real PNG with ink, as the canvas posts it), one typed
    drawn = next(r for r in records if r.drawn_png)
    assert drawn.drawn_png.startswith(b"\x89PNG") and not drawn.typed_name
    assert next(r for r in records if not r.drawn_png).typed_name == "Mtra. Laura Beatriz Solís Arriaga"
    kinds = {t.kind for t in izcalli.trail}
    assert {TrailKind.CODE_SENT, TrailKind.CODE_VERIFIED, TrailKind.SIGNED} <= kinds
    declined = next(s for s in izcalli.signatories if s.status == SignatoryStatus.DECLINED)
    assert declined.reason and declined.declined_at is not None

    romero = declarations["15060"]  # signing in order: the first has seen it, the rest wait for their turn
    assert romero.status == DeclarationStatus.SIGNING
    assert [s.status for s in sorted(romero.signatories, key=lambda s: s.signing_order)] == [
        SignatoryStatus.VIEWED, SignatoryStatus.PENDING, SignatoryStatus.PENDING, SignatoryStatus.PENDING]

    chimalhuacan = declarations["15031"]
    assert chimalhuacan.status == DeclarationStatus.POSTPONED
    assert "proceso electoral 2023" in chimalhuacan.status_reason and chimalhuacan.expected_date is not None

    for key in declarations:  # every call was postponed by the 2023 elections; Chimalhuacán's still is
        call = milestones_in_order(get_process(key))[1]
        assert call.kind == MilestoneKind.CALL and "proceso electoral 2023" in call.notes
    assert milestones_in_order(get_process("15031"))[1].status == MilestoneStatus.POSTPONED
    assert milestones_in_order(get_process("15113"))[2].status == MilestoneStatus.DONE

    # The public verification page shows the sealed one, and its download is the registered file.
    code = signed.verification_code
    page = client.get(f"/declaratorias/verificar/{code}")
    assert page.status_code == 200 and final.sha256 in page.get_data(as_text=True)
    assert client.get(f"/declaratorias/verificar/{code}/documento.pdf").data == final.content

    load_demo_data()  # twice: nothing new
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Declaration)) == 4
    assert _by_municipality()["15113"].final_document.sha256 == final.sha256


def test_configured_seal_wins_and_production_never_uses_the_demo_seal(app, instance, tmp_path):
    path = seal.demo_seal_path()
    assert path.parent == instance
    with pytest.raises(SealUnavailable):  # nothing configured, no demo seal yet
        current_signer()
    instance.mkdir(parents=True)
    seal.make_seal_identity(path, seal.DEMO_SEAL_PASSWORD, "Demo")
    assert current_signer() is not None  # development: the demo seal is found
    app.config["ENV"] = "production"
    try:
        with pytest.raises(SealUnavailable):  # production: not found silently…
            current_signer()
        app.config.update(DECLARATIONS_SEAL_PKCS12=str(path), DECLARATIONS_SEAL_PASSWORD=seal.DEMO_SEAL_PASSWORD)
        with pytest.raises(SealUnavailable, match="demostración"):  # …nor when configured by hand
            current_signer()
        real = seal.make_seal_identity(tmp_path / "real.p12", "otra", "Instituto")
        app.config.update(DECLARATIONS_SEAL_PKCS12=str(real), DECLARATIONS_SEAL_PASSWORD="otra")
        assert current_signer() is not None
    finally:
        app.config["ENV"] = ""


def test_sealing_and_checking_work_inside_a_running_event_loop(app, instance):
    """pyHanko's sync calls run asyncio.run; seal.py runs them off a running loop (async worker, Playwright)."""
    seal.make_seal_identity(seal.demo_seal_path(), seal.DEMO_SEAL_PASSWORD, "Demo")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Declaratoria")
    pdf.save()

    def work():
        sealed, timestamped = seal.seal_pdf(buffer.getvalue())
        return check_seal(sealed), timestamped

    async def inside_a_loop():
        return work()

    try:
        asyncio.get_running_loop()  # after a browser test, sync Playwright's loop runs on this thread already
    except RuntimeError:
        check, timestamped = asyncio.run(inside_a_loop())
    else:
        check, timestamped = work()
    assert check.valid and not timestamped
