"""A local RFC 3161 timestamp authority for tests: an HTTP server on 127.0.0.1 that answers
``application/timestamp-query`` POSTs with pyHanko's ``DummyTimeStamper``, signed by a TSA certificate of a
small test CA (made here with ``cryptography``).

    identity = tsa_identity(tmp_path)          # the test CA and its TSA certificate (critical EKU timeStamping)
    with local_tsa(identity) as tsa:           # listening on a random port, in a thread
        app.config["DECLARATIONS_TSA_URL"] = tsa.url
        app.config["DECLARATIONS_TSA_ROOTS"] = str(identity.ca_pem)
        ... tsa.requests ...                   # how many timestamp queries it served
        tsa.answer = "error"                   # from now on: HTTP 500 ("junk": 200 with bytes that are no reply;
                                               # "wrong_imprint": a valid token over another digest)
        tsa.hold()                             # queries are counted, then wait unanswered (a hanging TSA) …
        tsa.release()                          # … until released (stop() releases them too)
        tsa.stop(); tsa.start()                # down (the port refuses connections), then back on the same port

The server is always stopped when the ``with`` block ends, also when the test fails.
"""

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from tests.support.server import HOST

#: The longest a held query waits for ``release`` (a test that forgets to release must not hang the run).
HOLD_LIMIT = 30


@dataclass(frozen=True)
class TsaIdentity:
    """The test CA and the TSA certificate it issued, as asn1crypto objects for DummyTimeStamper."""

    ca_cert: asn1_x509.Certificate
    tsa_cert: asn1_x509.Certificate
    tsa_key: asn1_keys.PrivateKeyInfo
    #: The CA certificate as a PEM file: what ``DECLARATIONS_TSA_ROOTS`` points at to trust this TSA.
    ca_pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Autoridad de pruebas"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def tsa_identity(folder: Path, ca_name: str = "CA de pruebas", tsa_name: str = "TSA de pruebas") -> TsaIdentity:
    """A self-signed test CA and a TSA certificate it signed (RSA-2048, valid a day back and a month ahead)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(_name(ca_name)).issuer_name(_name(ca_name))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (x509.CertificateBuilder().subject_name(_name(tsa_name)).issuer_name(ca.subject)
           .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                        data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                        crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem = folder / "tsa-roots.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    key_info = asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return TsaIdentity(ca_cert=_der(ca), tsa_cert=_der(tsa), tsa_key=key_info, ca_pem=ca_pem)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self):  # noqa: N802 (http.server's name)
        tsa = self.server.tsa
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with tsa.lock:
            tsa.requests += 1
        tsa.answering.wait(timeout=HOLD_LIMIT)
        if tsa.answer == "error":
            return self._send(500, "text/plain", b"error interno")
        if tsa.answer == "junk":
            return self._send(200, "application/timestamp-reply", b"esto no es una respuesta RFC 3161")
        if self.headers.get("Content-Type") != "application/timestamp-query":
            return self._send(400, "text/plain", b"se espera application/timestamp-query")
        request = tsp.TimeStampReq.load(body)
        if tsa.answer == "wrong_imprint":  # a well-formed token over another digest
            imprint = request["message_imprint"]
            other = bytes(len(imprint["hashed_message"].native))
            request = tsp.TimeStampReq({
                "version": "v1", "nonce": request["nonce"], "cert_req": True,
                "message_imprint": tsp.MessageImprint({"hash_algorithm": imprint["hash_algorithm"],
                                                       "hashed_message": other}),
            })
        return self._send(200, "application/timestamp-reply", tsa.stamper.request_tsa_response(request).dump())

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tsa: "LocalTsa"


class LocalTsa:
    """The running authority: its URL, the requests it served and what it answers next."""

    def __init__(self, identity: TsaIdentity):
        self.identity = identity
        self.stamper = DummyTimeStamper(identity.tsa_cert, identity.tsa_key, certs_to_embed=[identity.ca_cert])
        self.lock = threading.Lock()
        self.requests = 0
        self.answer = "ok"
        #: Set: queries are answered at once; cleared by ``hold``, they wait for it.
        self.answering = threading.Event()
        self.answering.set()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/tsa"

    def start(self) -> None:
        """Listen (on a random port the first time, on the same one after ``stop``)."""
        server = _Server((HOST, self.port), _Handler)
        server.tsa = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def hold(self) -> None:
        """From now on, count each query and leave it unanswered until ``release`` (a hanging authority)."""
        self.answering.clear()

    def release(self) -> None:
        """Answer the held queries, and the next ones at once."""
        self.answering.set()

    def stop(self) -> None:
        """Stop listening: connections to the port are refused until ``start``."""
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None


@contextmanager
def local_tsa(identity: TsaIdentity) -> Iterator[LocalTsa]:
    """A local timestamp authority, running for the ``with`` block."""
    tsa = LocalTsa(identity)
    tsa.start()
    try:
        yield tsa
    finally:
        tsa.stop()
