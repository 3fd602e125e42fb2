"""The institute's PAdES seal on final declarations (pyHanko), its validation, and a self-signed sealing
identity for development and the demo.

Configuration: ``DECLARATIONS_SEAL_PKCS12`` (path of a PKCS#12 file with the key and certificate) and
``DECLARATIONS_SEAL_PASSWORD``; with ``DECLARATIONS_TSA_URL`` an RFC 3161 timestamp is added, and a seal is
only made when the authority answers with a token that verifies. Validation trusts the configured certificate
(and, for a CA-issued one, the chain inside the PKCS#12) as the seal's root; a timestamp's authority is judged
only against ``DECLARATIONS_TSA_ROOTS`` (a PEM bundle) — with none configured its time is read and its token
checked, but the authority is reported as not verified.
"""

import asyncio
import datetime as dt
import io
import logging
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
from pyhanko.sign.general import SigningError, find_cms_attribute_iter
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_certs_for_validation
from pyhanko_certvalidator import ValidationContext

from foros.config import is_production
from foros.core.errors import DomainError

SEAL_FIELD = "SelloInstitucional"
#: The demo's self-signed identity in the instance folder, found when no seal is configured — never in
#: production. Its password is fixed and public on purpose: the file proves nothing (README "Sealed declarations").
DEMO_SEAL_FILE = "demo-seal.p12"
DEMO_SEAL_PASSWORD = "foros-demo-sello-solo-desarrollo"  # noqa: S105 (public on purpose, dev only)
#: Seconds the whole exchange with the timestamp authority may take (connection, request and answer): a seal asks
#: it once (see ``_bytes_reserved``), so a hanging authority holds the last signer's request this long at most.
TSA_TIMEOUT = 5
#: Room kept in the seal for the authority's token, in DER bytes: a token is a few kilobytes (the TSA's certificate
#: and chain, a signature, the time); without this room pyHanko would ask the authority once more, only to learn
#: the token's size.
TSA_TOKEN_ROOM = 16 * 1024
#: Room for the rest of the signature besides the certificates (signed attributes, the signature value, structure).
SIGNATURE_ROOM = 4 * 1024

log = logging.getLogger(__name__)


class SealUnavailable(DomainError):
    """No usable sealing identity is configured, or the seal cannot be made now (sealing can be retried)."""


class TimestampUnavailable(SealUnavailable):
    """The configured timestamp authority gave no usable timestamp: nothing was sealed."""


@dataclass(frozen=True)
class TimestampCheck:
    """The RFC 3161 timestamp embedded in a seal, read back."""

    #: The time the authority vouches for (UTC).
    at: dt.datetime
    #: The authority, as people read it (its certificate's name and organization).
    authority: str
    #: The token is unchanged, its signature verifies and it covers this seal.
    intact: bool
    #: The authority's trust was judged: roots are configured (``DECLARATIONS_TSA_ROOTS``) and were read.
    checked: bool = False
    #: The authority's certificate chains to one of those roots (never true when not checked).
    trusted: bool = False

    @property
    def verified(self) -> bool:
        return self.intact and self.checked and self.trusted


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
    #: The embedded timestamp, when the seal carries one.
    timestamp: TimestampCheck | None = None

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


@lru_cache(maxsize=4)
def _load_pem_roots(path: str, _mtime: float) -> tuple:
    data = Path(path).read_bytes()
    return tuple(asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                 for c in x509.load_pem_x509_certificates(data))


def tsa_trust_roots() -> tuple | None:
    """The roots a timestamp authority must chain to (``DECLARATIONS_TSA_ROOTS``, a PEM bundle), or None when
    none are configured or the file cannot be read — then no timestamp is ever called trusted."""
    path = current_app.config.get("DECLARATIONS_TSA_ROOTS") or ""
    if not path:
        return None
    try:
        return _load_pem_roots(path, Path(path).stat().st_mtime)
    except (OSError, ValueError):
        log.warning("DECLARATIONS_TSA_ROOTS=%s is not a readable PEM bundle: timestamps are not verified", path)
        return None


def authority_name(name: asn1_x509.Name) -> str:
    """A certificate's name as people read it: its common name and organization, else the whole subject."""
    fields_ = name.native
    parts = [fields_.get("common_name"), fields_.get("organization_name")]
    parts = [p if isinstance(p, str) else ", ".join(p) for p in parts if p]
    text = " — ".join(dict.fromkeys(parts)) or name.human_friendly
    return text[:300]


def signer_subject() -> str:
    """The sealing certificate's subject, as people read it."""
    return current_signer().signing_cert.subject.human_friendly[:300]


class _TimeStamper(timestamps.HTTPTimeStamper):
    """pyHanko's HTTP client, with every failure of the authority — no answer, an HTTP error, an answer that
    does not parse (asn1crypto raises ValueError and the like on junk) — reported as a TimestampRequestError."""

    async def async_timestamp(self, message_digest, md_algorithm):
        try:
            return await super().async_timestamp(message_digest, md_algorithm)
        except TimestampRequestError:
            raise
        except Exception as exc:  # noqa: BLE001 — whatever the authority sent, it is not a timestamp
            raise TimestampRequestError(f"unreadable answer from the timestamp authority: {exc!r}") from exc


def _bytes_reserved(signer) -> int:
    """Room for the signature in the PDF, fixed in advance so pyHanko does not estimate it with a dry run — which,
    with a timestamper, asks the authority for a token only to measure it. Hex-encoded: twice the DER bytes."""
    certs = [signer.signing_cert, *(signer.cert_registry or ())]
    return 2 * (sum(len(c.dump()) for c in certs) + SIGNATURE_ROOM + TSA_TOKEN_ROOM)


def seal_pdf(pdf: bytes) -> tuple[bytes, bool]:
    """``pdf`` sealed with a PAdES signature of the configured identity; with a TSA, timestamped.
    Returns the sealed bytes and whether a timestamp was embedded (read back and checked). A TSA that does not
    answer within ``TSA_TIMEOUT``, answers junk or a token that does not verify raises ``TimestampUnavailable``:
    nothing is sealed. The authority is asked once per seal."""
    signer = current_signer()
    tsa_url = current_app.config.get("DECLARATIONS_TSA_URL") or ""
    timestamper = _TimeStamper(tsa_url, timeout=TSA_TIMEOUT) if tsa_url else None
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                        reason="Sello del documento final de la declaratoria",
                                        name=current_app.config.get("ORGANIZATION_NAME") or None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    try:
        out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer, timestamper=timestamper,
                                  bytes_reserved=_bytes_reserved(signer))
    except TimestampRequestError as exc:
        log.warning("timestamp authority %s gave no timestamp: %s", tsa_url, exc)
        raise TimestampUnavailable("timestamp_unavailable") from exc
    except SigningError as exc:  # the token did not fit the room kept for it: not a token this seal can carry
        if timestamper is None:
            raise
        log.warning("timestamp authority %s sent a token the seal cannot hold: %s", tsa_url, exc)
        raise TimestampUnavailable("timestamp_unavailable") from exc
    sealed = out.getvalue()
    if timestamper is not None:
        _require_timestamp(sealed, tsa_url)
    return sealed, timestamper is not None


def _require_timestamp(sealed: bytes, tsa_url: str) -> None:
    """The token the authority sent must be in the seal, intact, and — with TSA roots configured — trusted."""
    stamp = check_seal(sealed).timestamp
    if stamp is None or not stamp.intact or (stamp.checked and not stamp.trusted):
        log.warning("timestamp authority %s sent a token that does not verify: %s", tsa_url, stamp)
        raise TimestampUnavailable("timestamp_invalid")


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
    tsa_roots = tsa_trust_roots()
    # The timestamp's authority is judged against its own roots only, never the seal's. With none configured its
    # trust is not judged at all: the token's own signer stands in as the root, so pyHanko reads the time and
    # checks the token's integrity without failing (and logging) a path search that could only fail.
    ts_roots = list(tsa_roots) if tsa_roots is not None else _timestamp_signers(signature)
    try:
        status = _outside_event_loop(validate_pdf_signature, signature, ValidationContext(trust_roots=roots),
                                     ts_validation_context=ValidationContext(trust_roots=ts_roots))
    except Exception:  # noqa: BLE001 — a malformed signature is a failed check, not a 500
        return SealCheck(sealed=True)
    coverage = getattr(status, "coverage", None)
    return SealCheck(sealed=True, intact=bool(status.intact), trusted=bool(status.valid and status.trusted),
                     whole_file=getattr(coverage, "name", "") == "ENTIRE_FILE",
                     signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
                     timestamp=_timestamp_check(status.timestamp_validity, checked=tsa_roots is not None))


def _timestamp_signers(signature) -> list:
    """The certificates that signed the seal's timestamp tokens (none when a token is malformed)."""
    try:
        return [extract_certs_for_validation(token["content"]).signer_cert
                for token in find_cms_attribute_iter(signature.signer_info["unsigned_attrs"],
                                                     "signature_time_stamp_token")]
    except (ValueError, KeyError, TypeError):  # pyHanko's SignatureValidationError is a ValueError
        return []


def _timestamp_check(status, *, checked: bool) -> TimestampCheck | None:
    """pyHanko's status of the signature's timestamp token, as a ``TimestampCheck``."""
    if status is None:
        return None
    at = status.timestamp
    return TimestampCheck(at=at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC),
                          authority=authority_name(status.signing_cert.subject) if status.signing_cert else "",
                          intact=bool(status.intact and status.valid), checked=checked,
                          trusted=checked and bool(status.trusted))


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
