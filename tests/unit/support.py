"""The unit tests' environment and helpers.

Imported as ``tests.unit.support`` by the conftest and by tests alike, so the stub server and
the environment exist once. The settings are read from the environment on first use, so the
test database and provider URLs are fixed here, before anything reads them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.unit.provider_stub import ProviderStub

TMP = Path(tempfile.mkdtemp(prefix="aisha-tests-"))
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{TMP}/test.db"
STUB = ProviderStub()
_stub_url = STUB.start()

# Every provider configured, every provider pointed at the local stub.
PROVIDER_ENV = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000001",
    "TWILIO_AUTH_TOKEN": "twilio-auth-token-for-tests",
    "TWILIO_WHATSAPP_NUMBER": "+14155238886",
    "TWILIO_API_BASE_URL": _stub_url,
    "WHATSAPP_ACCESS_TOKEN": "whatsapp-access-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_VERIFY_TOKEN": "whatsapp-verify-token",
    "WHATSAPP_APP_SECRET": "whatsapp-app-secret",
    "WHATSAPP_API_BASE_URL": _stub_url,
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
    "FB_PAGE_ACCESS_TOKEN": "fb-page-token",
    "FB_VERIFY_TOKEN": "fb-verify-token",
    "FB_APP_SECRET": "fb-app-secret",
    "FB_API_BASE_URL": _stub_url,
}
os.environ.update(
    DATABASE_URL=TEST_DATABASE_URL,
    ENVIRONMENT="test",
    SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
    PUBLIC_BASE_URL="http://testserver",
    PROVIDER_TIMEOUT_SECONDS="1.5",
    MEDIA_DIR=str(TMP / "media"),
    IN_APP_WORKERS="0",
    **PROVIDER_ENV,
)

ADMIN_PASSWORD = "admin-password-123"
AGENT_PASSWORD = "agent-password-123"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def login(client: TestClient, email: str, password: str) -> dict[str, str]:
    """Bearer headers for a user, through the real token endpoint."""
    response = client.post("/api/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def payload(provider: str, name: str) -> dict:
    """A recorded provider payload from tests/fixtures/<provider>/<name>.json, sent just now.

    Its timestamps are set to the present: the 24-hour window counts from when the customer
    wrote, and a recording from last year would have closed it.
    """
    data = json.loads((FIXTURES / provider / f"{name}.json").read_text())
    now = time.time()

    def refresh(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "timestamp" and isinstance(value, str):
                    node[key] = str(int(now))  # WhatsApp: seconds, as a string
                elif key == "timestamp" and isinstance(value, int):
                    node[key] = int(now * 1000)  # Messenger: milliseconds
                else:
                    refresh(value)
        elif isinstance(node, list):
            for item in node:
                refresh(item)

    refresh(data)
    return data


def post_meta(client: TestClient, path: str, body: dict | bytes, secret: str | None) -> httpx.Response:
    """POST a webhook signed the way Meta signs it (X-Hub-Signature-256)."""
    from aisha_app.services.messaging.graph import sign

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, raw)
    return client.post(path, content=raw, headers=headers)


def post_twilio(
    client: TestClient, path: str, form: dict[str, str], token: str | None = None
) -> httpx.Response:
    """POST a webhook signed the way Twilio signs it (X-Twilio-Signature over URL and params)."""
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(token or PROVIDER_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(
        f"http://testserver{path}", form
    )
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def run_jobs(limit: int = 50) -> int:
    """Run every job that is due now, as a worker would; returns how many ran."""
    from aisha_app.background.worker import Worker

    worker, ran = Worker(name="test-worker"), 0
    while ran < limit and worker.run_once():
        ran += 1
    return ran


def make_due(session: Session) -> None:
    """Fast-forward: every queued job is due now (skips the backoff wait)."""
    from aisha_app.models import Job, JobStatus
    from aisha_app.models.base import utcnow

    session.exec(sa.update(Job).where(Job.status == JobStatus.QUEUED).values(run_after=utcnow()))
    session.commit()


def customer_writes(
    session: Session, phone: str, text: str | None, *, name: str | None = None, **kwargs
) -> None:
    """A customer writes in the simulator and the workers do what follows (replies, journeys)."""
    from aisha_app.actions.ingest import receive_simulated

    receive_simulated(session, phone, name, text, **kwargs)
    make_due(session)
    run_jobs()


def sent_to(session: Session, phone: str) -> list[str]:
    """What the business sent this customer (not staff notes), oldest first."""
    from sqlmodel import select

    from aisha_app.models import Contact, Conversation, Message

    session.expire_all()
    return [
        body or ""
        for body in session.exec(
            select(Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(Contact.phone_e164 == phone, Message.direction == "outbound", Message.type != "note")
            .order_by(Message.id)
        ).all()
    ]


ROOT = Path(__file__).resolve().parents[2]


def worker_processes(
    logs: Path, done: Callable[[], bool], count: int = 2, timeout: float = 60, **env: str
) -> list[str]:
    """``count`` worker processes (``python -m aisha_app.background.worker``) on the test
    database, run until ``done()`` says so and every one of them has started (on a busy machine
    one may start only after the others have done everything: it must still start); their logs.
    ``env``: settings of their own (the tests' monkeypatching does not reach them)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    files = [logs / f"worker-{n}.log" for n in range(count)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "aisha_app.background.worker", "--threads", "2"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=file.open("w"),
            start_new_session=True,
        )
        for file in files
    ]
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done() and all("started" in f.read_text() for f in files):
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    return [f.read_text() for f in files]


def worker_hosts(logs: list[str]) -> set[str]:
    """The processes that said they started, as the worker names itself (host:pid:thread)."""
    return {
        line.split("worker ")[1].split(" ")[0].rsplit(":", 1)[0]
        for log in logs
        for line in log.splitlines()
        if "worker " in line and "started" in line
    }
