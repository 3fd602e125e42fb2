"""The institute's PAdES seal on final declarations (pyHanko), its validation, and a self-signed sealing
identity for development and the demo.

Configuration: ``DECLARATIONS_SEAL_PKCS12`` (path of a PKCS#12 file with the key and certificate) and
``DECLARATIONS_SEAL_PASSWORD``; with ``DECLARATIONS_TSA_URL`` an RFC 3161 timestamp is added. Validation trusts
the configured certificate (and, for a CA-issued one, the chain inside the PKCS#12) as its root.
"""

import asyncio
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from foros.config import is_production
from foros.core.errors import DomainError

SEAL_FIELD = "SelloInstitucional"
#: The demo's self-signed identity in the instance folder, found when no seal is configured — never in
#: production. Its password is fixed and public on purpose: the file proves nothing (README "Sealed declarations").
DEMO_SEAL_FILE = "demo-seal.p12"
DEMO_SEAL_PASSWORD = "foros-demo-sello-solo-desarrollo"  # noqa: S105 (public on purpose, dev only)


class SealUnavailable(DomainError):
    """No usable sealing identity is configured."""


@dataclass(frozen=True)
class SealCheck:
    """What validating an uploaded PDF's seal found."""

    #: The file carries a seal at all.
    sealed: bool
    #: The signed bytes are unchanged (the digest matches).
    intact: bool = False
    #: The signature verifies and chains to the configured certificate.
    trusted: bool = False
    #: The seal covers the whole file (nothing appended after sealing).
    whole_file: bool = False
    signer: str = ""

    @property
    def valid(self) -> bool:
        return self.sealed and self.intact and self.trusted and self.whole_file


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions. They run ``asyncio.run``, which refuses to start inside a
    running event loop (an async worker; sync Playwright in the browser tests): there, a short-lived thread
    runs it. The function needs no app context (the signer and trust roots are resolved before)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def demo_seal_path() -> Path:
    """Where the demo keeps its self-signed identity: the instance folder (``flask demo load`` makes it)."""
    return Path(current_app.instance_path) / DEMO_SEAL_FILE


def _config_path() -> tuple[str, bytes]:
    path = current_app.config.get("DECLARATIONS_SEAL_PKCS12") or ""
    password = current_app.config.get("DECLARATIONS_SEAL_PASSWORD") or ""
    production = is_production(current_app.config)
    if not path and not production and demo_seal_path().is_file():
        # Development and demo only: nothing configured, the demo's own seal (a fixed dev password).
        return str(demo_seal_path()), DEMO_SEAL_PASSWORD.encode()
    if path and production and Path(path).resolve() == demo_seal_path().resolve():
        raise SealUnavailable("seal_unavailable", "El sello de demostración no se usa en producción: configure "
                              "el certificado de la institución (FOROS_DECLARATIONS_SEAL_PKCS12).", status=503)
    if not path or not Path(path).is_file():
        raise SealUnavailable("seal_unavailable", "No hay un certificado de sello configurado "
                              "(FOROS_DECLARATIONS_SEAL_PKCS12).", status=503)
    return path, password.encode()


@lru_cache(maxsize=4)
def _load_signer(path: str, password: bytes, _mtime: float):
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=password or None)
    if signer is None:
        raise SealUnavailable("seal_unavailable", "No se pudo abrir el certificado de sello (¿contraseña?).",
                              status=503)
    return signer


def current_signer():
    """The configured sealing identity (cached per file and modification time)."""
    path, password = _config_path()
    return _load_signer(path, password, Path(path).stat().st_mtime)


def trust_roots() -> list:
    """The certificates validation trusts: the configured one and any chain in its PKCS#12."""
    signer = current_signer()
    roots = [signer.signing_cert]
    roots += list(signer.cert_registry) if signer.cert_registry is not None else []
    return [c if isinstance(c, asn1_x509.Certificate) else asn1_x509.Certificate.load(c) for c in roots]


def signer_subject() -> str:
    """The sealing certificate's subject, as people read it."""
    return current_signer().signing_cert.subject.human_friendly[:300]


def seal_pdf(pdf: bytes) -> tuple[bytes, bool]:
    """``pdf`` sealed with a PAdES signature of the configured identity; with a TSA, timestamped.
    Returns the sealed bytes and whether a timestamp was embedded."""
    signer = current_signer()
    tsa_url = current_app.config.get("DECLARATIONS_TSA_URL") or ""
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                        reason="Sello del documento final de la declaratoria",
                                        name=current_app.config.get("ORGANIZATION_NAME") or None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer, timestamper=timestamper)
    return out.getvalue(), timestamper is not None


def check_seal(pdf: bytes) -> SealCheck:
    """Validate the seal of ``pdf`` against the configured certificate (never raises on a bad file)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return SealCheck(sealed=False)
    if not embedded:
        return SealCheck(sealed=False)
    signature = embedded[-1]
    try:
        roots = trust_roots()
    except SealUnavailable:  # integrity can still be told; trust cannot
        roots = []
    try:
        status = _outside_event_loop(validate_pdf_signature, signature, ValidationContext(trust_roots=roots))
    except Exception:  # noqa: BLE001 — a malformed signature is a failed check, not a 500
        return SealCheck(sealed=True)
    coverage = getattr(status, "coverage", None)
    return SealCheck(sealed=True, intact=bool(status.intact), trusted=bool(status.valid and status.trusted),
                     whole_file=getattr(coverage, "name", "") == "ENTIRE_FILE",
                     signer=status.signing_cert.subject.human_friendly if status.signing_cert else "")


def make_seal_identity(out: Path, password: str, common_name: str, *, years: int = 5) -> Path:
    """Write a self-signed sealing identity (RSA-2048, PKCS#12) for development and demos."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
                      x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Estado de México"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Sello de declaratorias")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    encryption = (serialization.BestAvailableEncryption(password.encode()) if password
                  else serialization.NoEncryption())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pkcs12.serialize_key_and_certificates(b"foros-seal", key, cert, None, encryption))
    out.chmod(0o600)
    return out
