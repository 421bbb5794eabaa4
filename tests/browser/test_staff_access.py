"""The flows a staff member lives in, driven in Chromium against the running app."""

import json
import re
import time

import httpx
from playwright.sync_api import Page, expect

from aisha_app.state.leads import LeadsState
from aisha_app.state.users import UsersState
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

AGENT_EMAIL = "agent.amina@kazi.test"
AGENT_PASSWORD = "amina-password-1"


def _admin_token(app_url: str) -> str:
    response = httpx.post(
        f"{app_url}/api/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    return response.json()["access_token"]


def _user_emails(app_url: str) -> list[str]:
    token = _admin_token(app_url)
    users = httpx.get(f"{app_url}/api/users", headers={"Authorization": f"Bearer {token}"}).json()
    return [u["email"] for u in users]


def test_admin_creates_an_agent_who_sees_the_dashboard_but_not_the_users_page(page: Page, app_url):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.locator("#welcome")).to_contain_text("Admin")

    page.goto("/settings/users")
    page.fill("#new-email", AGENT_EMAIL)
    page.fill("#new-name", "Amina")
    page.fill("#new-password", AGENT_PASSWORD)
    page.click("#create-user")
    expect(page.locator("#users-notice")).to_contain_text(f"Created {AGENT_EMAIL} (agent)")
    expect(page.locator(f"[id='user-{AGENT_EMAIL}']")).to_be_visible()

    admin_tab_token = page.evaluate("sessionStorage.getItem('token')")
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login"))
    # The tab's page state is dropped with the cookie: the next person starts clean.
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('token')") != admin_tab_token

    sign_in(page, AGENT_EMAIL, AGENT_PASSWORD)
    expect(page.locator("#welcome")).to_contain_text("Amina")
    expect(page.locator("#signed-in-role")).to_have_text("agent")

    page.goto("/settings/users")
    expect(page.locator("#forbidden")).to_contain_text("403")
    expect(page.locator("#create-user")).to_have_count(0)
    expect(page.get_by_text(ADMIN_EMAIL)).to_have_count(0)


def test_signed_out_visitors_are_sent_to_the_login_page(page: Page):
    page.goto("/settings/users")
    expect(page).to_have_url(re.compile(r"/login/?\?next="))
    expect(page.locator("#sign-in")).to_be_visible()


def test_wrong_password_shows_the_reason_on_the_login_page(page: Page):
    sign_in(page, ADMIN_EMAIL, "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("Wrong email or password")


def forge_event(page: Page, path: str, handler: str, payload: dict) -> list[str]:
    """Emit ``handler`` (a state's full name and event) on the page's own websocket, as a
    tampered client could; wait until the server has answered; return what it answered."""
    sockets, answers = [], []

    def route(ws):
        server = ws.connect_to_server()
        sockets.append(server)
        ws.on_message(server.send)

        def from_server(message):
            answers.append(message)
            ws.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/_event.*"), route)
    page.goto(path)
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(1000)
    before = len(answers)
    event = {"name": handler, "payload": payload, "router_data": {"pathname": path, "asPath": path}}
    sockets[-1].send("42/_event," + json.dumps(["event", event]))
    deadline = time.monotonic() + 10
    while len(answers) == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(answers) > before, "the server never answered the forged event"
    return answers[before:]


def _send_create_user_over_the_pages_socket(page: Page, email: str) -> None:
    expect_signed_in = page.locator("#sign-out")
    form = {"email": email, "name": "Smuggled", "role": "admin", "password": "smuggled-password-1"}
    forge_event(page, "/settings/users/", f"{UsersState.get_full_name()}.create_user", {"form": form})
    expect(expect_signed_in).to_be_visible()


def test_a_forged_create_user_event_works_for_an_admin(page: Page, app_url):
    """The control for the next test: the forged frame is one the server acts on."""
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.locator("#welcome")).to_be_visible()
    _send_create_user_over_the_pages_socket(page, "by-admin@kazi.test")
    assert "by-admin@kazi.test" in _user_emails(app_url)


def test_an_agent_forging_the_create_user_event_changes_nothing(page: Page, app_url):
    """Whatever the browser sends: the handler itself checks the role on the server."""
    token = _admin_token(app_url)
    httpx.post(
        f"{app_url}/api/users",
        json={"email": "forger@kazi.test", "name": "Forger", "password": "forger-password-1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    sign_in(page, "forger@kazi.test", "forger-password-1")
    expect(page.locator("#welcome")).to_be_visible()
    _send_create_user_over_the_pages_socket(page, "smuggled@kazi.test")
    expect(page.locator("#forbidden")).to_be_visible()
    assert "smuggled@kazi.test" not in _user_emails(app_url)


def test_a_deactivated_agent_is_signed_out_on_the_next_page(page: Page, app_url):
    token = _admin_token(app_url)
    created = httpx.post(
        f"{app_url}/api/users",
        json={"email": "leaver@kazi.test", "name": "Leaver", "password": "leaver-password-1"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    sign_in(page, "leaver@kazi.test", "leaver-password-1")
    expect(page.locator("#welcome")).to_contain_text("Leaver")

    httpx.patch(
        f"{app_url}/api/users/{created['id']}",
        json={"is_active": False},
        headers={"Authorization": f"Bearer {token}"},
    )
    page.goto("/inbox")
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_signed_out_visitor_forging_a_leads_filter_sees_no_lead(page: Page, app_url):
    """Every handler that reads data checks the session, the board's filters included."""
    token = _admin_token(app_url)
    joined = httpx.post(
        f"{app_url}/api/waiting-list/",
        json={"username": "Confidential Customer", "phone_number": "0733123987"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert joined.status_code == 201
    handler = f"{LeadsState.get_full_name()}.set_search"

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)  # the control: staff get the card
    expect(page.locator("#welcome")).to_be_visible()
    assert "Confidential Customer" in "".join(
        forge_event(page, "/leads/", handler, {"value": "Confidential"})
    )

    visitor = page.context.browser.new_context(base_url=app_url).new_page()
    answers = forge_event(visitor, "/login/", handler, {"value": "Confidential"})
    assert "Confidential Customer" not in "".join(answers)
    visitor.context.close()
