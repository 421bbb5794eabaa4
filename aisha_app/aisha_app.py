"""The Reflex app: pages, and the HTTP API mounted on the same backend."""

import logging

import reflex as rx

from aisha_app import routes
from aisha_app.api import build_api
from aisha_app.background.worker import in_app_workers
from aisha_app.config import describe, get_settings
from aisha_app.pages import (
    actions,
    assistant,
    attributes,
    automations,
    canned,
    contacts,
    inbox,
    jobs,
    knowledge,
    labels,
    leads,
    overview,
    reviews,
    rule_editor,
    templates,
    users,
    waiting,
)
from aisha_app.pages.login import login_page
from aisha_app.pages.simulator import simulator_page
from aisha_app.realtime.live import live_updates
from aisha_app.security_headers import SecurityHeaders
from aisha_app.state.actions import ActionsState
from aisha_app.state.assistant import AssistantState
from aisha_app.state.attributes import AttributesState
from aisha_app.state.automations import AutomationsState, RunLogState
from aisha_app.state.canned import CannedState
from aisha_app.state.contacts import ContactsState
from aisha_app.state.inbox import InboxState
from aisha_app.state.jobs import JobsState
from aisha_app.state.knowledge import KnowledgeState
from aisha_app.state.labels import LabelsState
from aisha_app.state.leads import LeadsState
from aisha_app.state.login import LoginState
from aisha_app.state.nav import NavState
from aisha_app.state.overview import (
    DashboardState,
    SettingsState,
)
from aisha_app.state.reviews import ReviewsState
from aisha_app.state.rule_editor import RuleEditorState
from aisha_app.state.session import SessionState
from aisha_app.state.simulator import SimulatorState
from aisha_app.state.templates import TemplatesState
from aisha_app.state.users import UsersState
from aisha_app.state.waiting import DisplayState, WaitingState

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("aisha").info("starting: %s", describe(get_settings()))

# The API mounts the pages; the headers wrap both (outermost), so pages get them as well.
app = rx.App(api_transformer=[build_api(), SecurityHeaders], stylesheets=["/aisha.css"])
# Job-queue workers live as long as the app (IN_APP_WORKERS threads; 0 turns them off).
app.register_lifespan_task(in_app_workers)
# Committed events reach every open inbox and simulator tab.
app.register_lifespan_task(live_updates)

app.add_page(login_page, route=routes.LOGIN, title="Sign in · Aisha", on_load=LoginState.load)
app.add_page(
    simulator_page,
    route=routes.SIMULATOR,
    title="Simulator · Aisha",
    on_load=[NavState.load, SimulatorState.load],
)
# The shop screen: no sign-in, the secret in the link is the key.
app.add_page(waiting.display_page, route=routes.DISPLAY, title="Waiting list", on_load=DisplayState.load)
_PAGES = [
    (overview.dashboard_page, routes.DASHBOARD, "Dashboard", DashboardState.load),
    (inbox.inbox_page, routes.INBOX, "Inbox", InboxState.load),
    (contacts.contacts_page, routes.CONTACTS, "Contacts", ContactsState.load),
    (leads.leads_page, routes.LEADS, "Leads", LeadsState.load),
    (waiting.waiting_page, routes.WAITING_LIST, "Waiting list", WaitingState.load),
    (reviews.reviews_page, routes.REVIEWS, "Reviews", ReviewsState.load),
    (automations.automations_page, routes.AUTOMATIONS, "Automations", AutomationsState.load),
    (rule_editor.editor_page, routes.AUTOMATION_EDIT, "Automation", RuleEditorState.load),
    (automations.runs_page, routes.AUTOMATION_RUNS, "Run log", RunLogState.load),
    (overview.analytics_page, routes.ANALYTICS, "Analytics", SessionState.check_session),
    (overview.settings_page, routes.SETTINGS, "Settings", SettingsState.load),
    (users.users_page, routes.USERS, "Users", UsersState.load),
    (jobs.jobs_page, routes.JOBS, "Failed jobs", JobsState.load),
    (assistant.assistant_page, routes.ASSISTANT, "Assistant", AssistantState.load),
    (knowledge.knowledge_page, routes.KNOWLEDGE, "Knowledge", KnowledgeState.load),
    (actions.actions_page, routes.ACTIONS, "Actions", ActionsState.load),
    (canned.canned_page, routes.CANNED, "Canned responses", CannedState.load),
    (labels.labels_page, routes.LABELS, "Labels", LabelsState.load),
    (attributes.attributes_page, routes.ATTRIBUTES, "Attributes", AttributesState.load),
    (templates.templates_page, routes.TEMPLATES, "Templates", TemplatesState.load),
]
for component, route, title, on_load in _PAGES:
    # First the navigation's unread badge, then the page.
    app.add_page(component, route=route, title=f"{title} · Aisha", on_load=[NavState.load, on_load])
# Any other address: a 404 inside the layout (Reflex's route for it is "404").
app.add_page(
    overview.not_found_page,
    route="404",
    title="Not found · Aisha",
    on_load=[NavState.load, SessionState.check_session],
)
