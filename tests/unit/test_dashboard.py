"""The dashboard's conversation counts are the totals of the inbox's tabs, whatever the mix."""

from itertools import product

from aisha_app import queries
from aisha_app.models import Channel, Contact, Conversation, ConversationStatus
from aisha_app.queries.inbox import STATUS_TABS, ConversationFilter, list_conversations


def test_the_dashboards_conversation_counts_are_the_inbox_tabs_totals(session, world):
    # Every status, assigned or not, with the assistant on or off: 16 conversations.
    for i, (status, assignee, ai) in enumerate(
        product(ConversationStatus, (None, world.agent.id), (True, False))
    ):
        contact = Contact(name=f"Customer {i}", phone_e164=f"+2547000000{i:02d}")
        session.add(contact)
        session.flush()
        session.add(
            Conversation(
                contact_id=contact.id,
                channel=Channel.SIMULATOR,
                status=status,
                assignee_id=assignee,
                ai_enabled=ai,
            )
        )
    session.commit()

    counts = queries.dashboard_counts(session)
    tabs = {
        tab.value: list_conversations(session, ConversationFilter(status=tab.value))[1] for tab in STATUS_TABS
    }
    assert counts["active_conversations"] == tabs["active"] == 8  # open and pending
    assert counts["waiting_for_staff"] == tabs["pending"] == 4


def test_the_dashboard_over_rest_is_the_same_counts_for_staff_only(client, session, world):
    from tests.unit.support import AGENT_PASSWORD, login

    session.add(Contact(name="Counted", phone_e164="+254700000099"))
    session.commit()
    assert client.get("/api/dashboard").status_code == 401
    response = client.get("/api/dashboard", headers=login(client, "agent@shop.test", AGENT_PASSWORD))
    assert response.status_code == 200
    assert response.json() == queries.dashboard_counts(session)
    assert response.json()["contacts"] == 3  # the world's two and this one
