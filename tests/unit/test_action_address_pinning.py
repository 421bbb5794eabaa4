"""An assistant action connects to the address that was checked, never to a second DNS answer.

A local HTTPS server with a self-signed certificate for ``orders.shop.test`` stands in for the
business's endpoint; the resolver (the look-up function the call is given) answers differently
on its second question, as a DNS-rebinding attacker's name server would.
"""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aisha_app.actions import assistant_actions
from aisha_app.config import get_settings
from aisha_app.models import AssistantAction
from tests.unit.support import TMP

HOST = "orders.shop.test"


def self_signed(host: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class HttpsEndpoint:
    """The business's endpoint on 127.0.0.1, over TLS, recording the Host of each request."""

    def __init__(self) -> None:
        cert, key = self_signed(HOST)
        (TMP / "endpoint.pem").write_bytes(cert + key)
        server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_tls.load_cert_chain(TMP / "endpoint.pem")
        self.trust = ssl.create_default_context(cadata=cert.decode())  # the test's own CA: this cert
        self.hosts: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.hosts.append(self.headers["Host"])
                body = json.dumps({"status": "out for delivery"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = server_tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = HttpsEndpoint()
    yield server
    server.close()


class RebindingResolver:
    """Answers with the given addresses in turn (the last one from then on); counts questions."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def action(url: str) -> AssistantAction:
    return AssistantAction(
        name="order_status",
        description="Look up an order.",
        url=url,
        method="POST",
        auth_header_name="Authorization",
        auth_header_value="Bearer shop-secret-123",
        timeout_seconds=2,
    )


def test_an_action_connects_to_the_address_it_checked_even_when_the_name_changes_its_answer(endpoint):
    resolver = RebindingResolver(["127.0.0.1"], ["10.255.255.1"])  # checked, then "rebound"
    result = assistant_actions.call_action(
        action(f"https://{HOST}:{endpoint.port}/orders"),
        {"order_number": "A-17"},
        resolve=resolver,
        verify=endpoint.trust,
    )
    assert result == {"status": "out for delivery"}
    assert resolver.asked == [HOST]  # one look-up: the one that was checked
    assert endpoint.hosts == [f"{HOST}:{endpoint.port}"]  # the name, not the address, as Host


def test_the_endpoints_certificate_is_still_checked_against_the_actions_host_name(endpoint):
    # Same address, another name: the certificate (for orders.shop.test) must not be accepted.
    result = assistant_actions.call_action(
        action(f"https://billing.shop.test:{endpoint.port}/orders"),
        {},
        resolve=RebindingResolver(["127.0.0.1"]),
        verify=endpoint.trust,
    )
    assert result == {"error": "the order_status service could not be reached"}
    assert endpoint.hosts == []


@pytest.mark.parametrize("answer", [["10.0.0.8"], ["93.184.215.14", "192.168.1.20"], ["::1"]])
def test_in_production_a_name_that_points_inside_is_refused_before_any_connection(
    monkeypatch, endpoint, answer
):
    monkeypatch.setattr(get_settings(), "environment", "production")
    resolver = RebindingResolver(answer)
    result = assistant_actions.call_action(
        action(f"https://{HOST}:{endpoint.port}/orders"), {}, resolve=resolver, verify=endpoint.trust
    )
    assert result == {"error": "the order_status service is not reachable from here"}
    assert resolver.asked == [HOST]
    assert endpoint.hosts == []
