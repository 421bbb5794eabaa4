"""The rule editor's form: every trigger and action the API takes reads into boxes and back
unchanged, and what cannot make a rule is said in words, at the box that is wrong."""

import pytest

from aisha_app.automations import form as f
from aisha_app.automations.rules import FIELDS, LISTENS_TO, RuleIn

ACTIONS = [
    {"type": "send_text", "text": "Karibu {{contact.first_name}}!"},
    {
        "type": "send_text",
        "text": "Your order is ready",
        "template": "order_ready",
        "template_language": "sw",
        "variables": ["{{contact.first_name}}", "Kisumu"],
    },
    {"type": "send_template", "template": "birthday_wish", "variables": ["{{contact.name}}"]},
    {"type": "send_media", "url": "https://shop.test/boots.jpg", "media_type": "image", "caption": "New in!"},
    {"type": "add_tag", "tag": "vip"},
    {"type": "remove_tag", "tag": "new"},
    {"type": "add_label", "label": "urgent"},
    {"type": "remove_label", "label": "urgent"},
    {"type": "set_attribute", "key": "shoe size", "value": "42"},
    {"type": "assign", "user_id": 7},
    {"type": "assign", "round_robin": True},
    {"type": "set_status", "status": "pending"},
    {"type": "set_assistant", "enabled": False},
    {"type": "set_assistant", "enabled": True},
    {"type": "note", "text": "Asked for the price list"},
    {"type": "move_lead_stage", "stage": "QUALIFIED"},
    {"type": "wait", "minutes": 90, "cancel_if": ["customer_replied", "resolved"]},
    {"type": "wait", "minutes": 2 * 24 * 60, "cancel_if": []},
    {"type": "webhook", "url": "https://crm.example.test/hooks/aisha", "timeout_seconds": 10.0},
    {"type": "webhook", "url": "https://crm.example.test/hooks/slow", "timeout_seconds": 2.5},
    {"type": "start_review", "product": "Safety boots"},
    {"type": "start_review", "product": None},
    {"type": "add_to_waiting_list", "list": "Fitting room", "tell_customer": True},
    {"type": "add_to_waiting_list", "list": None, "tell_customer": False},
    {"type": "stop"},
]
TRIGGERS = [
    {"type": "keyword", "keywords": ["bei", "price, please", "سعر"], "match": "contains"},
    {"type": "message_received"},
    {"type": "conversation_opened"},
    {"type": "conversation_resolved"},
    {"type": "tag_added", "tag": "vip"},
    {"type": "tag_added"},
    {"type": "label_added", "label": "urgent"},
    {"type": "lead_stage_changed", "from_stage": "NEW", "to_stage": "WON"},
    {"type": "lead_stage_changed", "from_stage": None, "to_stage": "LOST"},
    {"type": "review_received", "max_rating": 2},
    {"type": "review_received", "max_rating": None},
    {"type": "waiting_list", "on": "no_show", "list": "Fitting room"},
    {"type": "waiting_list", "on": "joined", "list": None},
    {"type": "birthday", "days_before": 0, "at": "09:00"},
    {"type": "birthday", "days_before": 3, "at": "18:45"},
    {"type": "idle", "waiting_for": "staff", "minutes": 45},
    {"type": "idle", "waiting_for": "customer", "minutes": 3 * 24 * 60},
    {"type": "idle", "waiting_for": "customer", "minutes": 120},
    {"type": "schedule", "every": "week", "at": "10:30", "weekday": 4, "day": 1, "segment": 3},
    {"type": "schedule", "every": "month", "at": "08:00", "weekday": 0, "day": 28, "segment": 12},
    {"type": "date_anniversary", "attribute": "first_order", "days_before": 1, "at": "10:00"},
]
CONDITIONS = {
    "all": [
        {"field": "contact.tags", "op": "not_contains", "value": "vip"},
        {"field": "contact.opted_out", "op": "equals", "value": False},
        {"field": "contact.birthday_month", "op": "gt", "value": 6},
        {"field": "contact.attributes.city", "op": "in", "value": ["Kisumu", "Nakuru"]},
        {"field": "conversation.assigned", "op": "equals", "value": True},
    ],
    "any": [
        {"field": "message.body", "op": "contains", "value": "leo"},
        {"field": "contact.language", "op": "is_not_set"},
    ],
}


def _saved(trigger, actions=ACTIONS[:20], conditions=CONDITIONS, options=None) -> dict:
    """A rule as the API hands it back (``RulePublic``'s fields)."""
    rule = RuleIn.model_validate(
        {
            "name": "Follow up",
            "trigger": trigger,
            "conditions": conditions,
            "actions": actions,
            "options": options or {},
        }
    )
    return rule.model_dump(mode="json")


@pytest.mark.parametrize("trigger", TRIGGERS, ids=lambda t: t["type"] + "-" + str(len(t)))
def test_every_trigger_reads_into_the_form_and_back_unchanged(trigger):
    saved = _saved(trigger)
    again = f.checked(f.from_rule(saved)).model_dump(mode="json")
    assert again == saved


def test_every_action_condition_and_option_reads_into_the_form_and_back_unchanged():
    for options in ({"once_per": "contact", "ignore_quiet_hours": True}, {"once_per": "conversation"}, {}):
        saved = _saved(TRIGGERS[0], options=options)
        form = f.from_rule(saved)
        assert f.checked(form).model_dump(mode="json") == saved
    rest = _saved(TRIGGERS[0], actions=ACTIONS[20:])  # a rule holds at most 20 actions
    assert f.checked(f.from_rule(rest)).model_dump(mode="json") == rest
    assert {a["type"] for a in ACTIONS} == set(f.ACTIONS)  # the editor offers every action


def test_the_editor_offers_every_trigger_and_every_field():
    assert set(f.TRIGGERS) == set(LISTENS_TO)
    assert set(f.FIELD_LABELS) == set(FIELDS) | {f.ATTRIBUTE_FIELD}


def test_boxes_become_a_rule_as_a_shop_owner_fills_them():
    form = f.RuleForm(
        name="  Prices  ",
        keywords="bei\n\n  price  \n",
        all=[
            f.ConditionRow(field="contact.birthday_month", op="lt", value=" 7 ", kind="number"),
            f.ConditionRow(field="clock.open", op="equals", value="no", kind="bool"),
            f.ConditionRow(
                field="attribute", attribute="city", op="in", value="Kisumu, , Nakuru", kind="attribute"
            ),
            f.ConditionRow(field="contact.lead_label", op="is_set", value="left over", kind="text"),
        ],
        actions=[f.ActionRow(type="add_tag", name=" vip "), f.ActionRow(type="assign", value="round_robin")],
        once_per="contact",
    )
    rule = f.checked(form).model_dump(mode="json")
    assert rule["name"] == "Prices"
    assert rule["trigger"] == {"type": "keyword", "keywords": ["bei", "price"], "match": "word"}
    assert rule["conditions"]["all"] == [
        {"field": "contact.birthday_month", "op": "lt", "value": 7},
        {"field": "clock.open", "op": "equals", "value": False},
        {"field": "contact.attributes.city", "op": "in", "value": ["Kisumu", "Nakuru"]},
        {"field": "contact.lead_label", "op": "is_set", "value": None},
    ]
    assert rule["actions"] == [
        {"type": "add_tag", "tag": "vip"},
        {"type": "assign", "user_id": None, "round_robin": True},
    ]
    assert rule["options"] == {"once_per": "contact", "ignore_quiet_hours": False}


@pytest.mark.parametrize(
    ("form", "said"),
    [
        (f.RuleForm(name="", keywords="bei"), "Name: this box is empty"),
        (f.RuleForm(name="x", trigger="schedule"), "Trigger (segment): choose the segment"),
        (
            f.RuleForm(name="x", trigger="schedule", segment="2", day="31"),
            "Trigger (day of the month): from 1",
        ),
        (
            f.RuleForm(
                name="x",
                keywords="bei",
                actions=[f.ActionRow(type="wait", wait_for="5", wait_unit="minutes")],
            ),
            "Action 1 (Wait): a wait is from 10 minutes to 30 days",
        ),
        (f.RuleForm(name="x", trigger="idle", idle_for="half"), "Trigger (quiet for): 'half' is not a whole"),
        (
            f.RuleForm(name="x", trigger="idle", idle_for="31", idle_unit="days"),
            "Trigger (quiet for): from 1 minute to 30 days",
        ),
        (f.RuleForm(name="x", trigger="birthday", days_before="-1"), "Trigger (days before): '-1' is not"),
        (
            f.RuleForm(name="x", trigger="birthday", days_before="31"),
            "Trigger (days before): Input should be less than or equal to 30",
        ),
        (
            f.RuleForm(name="x", trigger="birthday", at="9am"),
            "Trigger (at): write the time as HH:MM on a 24-hour clock",
        ),
        (f.RuleForm(name="x", keywords=" \n "), "Trigger (keywords): "),
        (
            f.RuleForm(name="x", keywords="bei", actions=[f.ActionRow(type="add_tag", name="")]),
            "Action 1 (Add a tag, tag): this box is empty",
        ),
        (
            f.RuleForm(
                name="x",
                keywords="bei",
                actions=[f.ActionRow(type="stop"), f.ActionRow(type="note", text="Hi {{contact.shoe}}")],
            ),
            "Action 2 (Add an internal note, text): unknown variable contact.shoe",
        ),
        (f.RuleForm(name="x", keywords="bei", actions=[]), "Actions: add at least one action"),
        (
            f.RuleForm(name="x", keywords="bei", actions=[f.ActionRow(type="assign", value="")]),
            "Action 1 (Assign the conversation): assign takes a user_id or round_robin",
        ),
        (
            f.RuleForm(name="x", keywords="(unclosed", match="regex"),
            "Trigger",
        ),
        (
            f.RuleForm(
                name="x",
                keywords="bei",
                any=[f.ConditionRow(field="contact.birthday_month", op="gt", value="June", kind="number")],
            ),
            "At least one of these, condition 1: 'June' is not a number",
        ),
        (
            f.RuleForm(
                name="x",
                keywords="bei",
                all=[f.ConditionRow(field="contact.birthday_month", op="lt", value="nan", kind="number")],
            ),
            "Every one of these, condition 1: 'nan' is not a number",
        ),
        (
            f.RuleForm(name="x", keywords="bei", actions=[f.ActionRow(type="assign", value="²")]),
            "Action 1 (Assign the conversation): assign takes a user_id or round_robin",
        ),
        (
            f.RuleForm(
                name="x",
                keywords="bei",
                all=[
                    f.ConditionRow(field="attribute", attribute="", op="equals", value="a", kind="attribute")
                ],
            ),
            "Every one of these, condition 1: write the attribute's name",
        ),
    ],
)
def test_what_cannot_make_a_rule_is_said_in_words_where_it_is(form, said):
    with pytest.raises(f.FormError) as caught:
        f.checked(form)
    assert said in str(caught.value)
    assert "input_value" not in str(caught.value) and "errors.pydantic" not in str(caught.value)


def test_the_list_says_a_rule_in_one_line():
    assert f.trigger_summary(TRIGGERS[0]) == "Keyword: bei, price, please, سعر"
    assert f.trigger_summary({"type": "tag_added"}) == "A tag is added to a contact"
    assert f.trigger_summary(TRIGGERS[-13]) == "Lead stage: any → LOST"
    assert f.trigger_summary(TRIGGERS[-12]) == "A review of 2 stars or fewer"
    assert f.trigger_summary(TRIGGERS[-10]) == "Waiting list on Fitting room: the customer does not come"
    assert f.trigger_summary(TRIGGERS[-8]) == "Birthday: on the day at 09:00"
    assert f.trigger_summary(TRIGGERS[-7]) == "Birthday: 3 days before at 18:45"
    assert f.trigger_summary(TRIGGERS[-6]) == "Quiet for 45 minutes, waiting for staff"
    assert f.trigger_summary(TRIGGERS[-5]) == "Quiet for 3 days, waiting for the customer"
    assert f.trigger_summary(TRIGGERS[-3]) == "Schedule: every Friday at 10:30, segment 3"
    assert f.trigger_summary(TRIGGERS[-2]) == "Schedule: on day 28 of every month at 08:00, segment 12"
    assert f.trigger_summary(TRIGGERS[-1]) == "first_order comes round: 1 day before at 10:00"
    assert f.trigger_summary({"type": "idle", "waiting_for": "staff", "minutes": 60}) == (
        "Quiet for 1 hour, waiting for staff"
    )
    assert (
        f.actions_summary([{"type": "add_tag", "tag": "vip"}, {"type": "set_status", "status": "resolved"}])
        == "Add a tag: vip → Change the status: resolved"
    )
    assert f.actions_summary([{"type": "wait", "minutes": 90}, {"type": "stop"}]) == (
        "Wait 1 hour 30 minutes → Stop here"
    )
