"""Property-based fuzz of the whole REST API: nothing anyone sends gets a 5xx.

Schemathesis reads ``/openapi.json`` from the in-process app and, for every operation, sends a
few generated requests (its coverage phase adds boundary values, wrong methods and odd types),
signed in as an admin, against the unit tests' database and provider stub (no real provider is
ever called). Any 5xx fails the test. Run: ``.venv/bin/python -m pytest tests/fuzz -q``
(about a minute and a half on SQLite; ``TEST_DATABASE_URL`` for PostgreSQL).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from aisha_app.api import build_api
from tests.unit.support import ADMIN_PASSWORD, login

CONFIG = schemathesis.Config.from_dict(
    {
        # Few examples per operation keeps the whole run near a minute; no example database on disk.
        "generation": {"max-examples": 5, "database": "none"},
    }
)
# Signing out would end the session the fuzz signs in with (it is not in the schema today).
schema = schemathesis.openapi.from_asgi("/openapi.json", build_api(), config=CONFIG).exclude(
    path="/api/auth/logout"
)


@pytest.fixture
def admin_headers(shop, client) -> dict[str, str]:
    return login(client, shop.admin.email, ADMIN_PASSWORD)


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_no_request_gets_a_server_error(case, admin_headers):
    # The shop is set up once per operation (not per example): each operation starts from it.
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
