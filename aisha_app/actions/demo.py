"""A small living workspace for the quick start: a workwear shop in Nairobi."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from aisha_app.assistant.profile import DAYS, PROFILE_KEY, BusinessProfile
from aisha_app.models import (
    ActivityKind,
    AppSetting,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    KnowledgeArticle,
    LeadActivity,
    LeadLabel,
    LeadStage,
    Message,
    MessageDirection,
    MessageStatus,
    MessageTemplate,
    Product,
    Review,
    SourceType,
    TemplateStatus,
    WaitingList,
    WaitingListEntry,
)
from aisha_app.models.base import utcnow

PRODUCTS = [
    ("BOOT-STL-01", "Steel-toe safety boots", "حذاء أمان بمقدمة فولاذية", "Footwear", "4500", 18),
    ("VEST-HV-02", "High-visibility reflective vest", "سترة عاكسة عالية الوضوح", "Hi-vis", "650", 120),
    ("OVR-CTN-03", "Cotton overalls, navy", "أفرول قطني كحلي", "Overalls", "2800", 35),
    ("HLM-ABS-04", "Safety helmet with chin strap", "خوذة أمان مع حزام", "Head protection", "1200", 0),
    ("GLV-LTH-05", "Leather work gloves", "قفازات عمل جلدية", "Hand protection", "450", 60),
]

# The profile and the FAQ say the same: the offline assistant answers from either.
ADDRESS = "Moi Avenue 14, Nairobi CBD"
HOURS = {day: ["08:00", "18:00"] for day in DAYS[:5]} | {"saturday": ["09:00", "14:00"]}
HOURS_TEXT = "Monday to Friday 8:00-18:00 and Saturday 9:00-14:00; closed on Sundays and public holidays"

FAQS = [
    ("What are your opening hours?", f"We are open {HOURS_TEXT}."),
    ("Where is the shop?", f"Kazi Workwear, {ADDRESS}, next to the Kenya Cinema."),
    (
        "Do you deliver?",
        "Yes. Delivery within Nairobi takes one working day and costs KES 300; free above KES 10,000.",
    ),
    ("How can I pay?", "M-Pesa (till 512345), card, or cash in the shop."),
    ("Can I return an item?", "Unworn items can be returned within 14 days with the receipt."),
    ("Do you embroider company logos?", "Yes, from 10 pieces. Send us your logo and we quote within a day."),
]

CUSTOMERS = [
    # name, phone, stage, label, score, source, conversation status, messages
    (
        "Wanjiru Kamau",
        "+254712345678",
        LeadStage.QUALIFIED,
        LeadLabel.HOT,
        82,
        SourceType.AD,
        ConversationStatus.OPEN,
        [
            ("in", "Hi, do you have steel-toe boots in size 42?"),
            ("out", "Hello Wanjiru! Yes, the steel-toe safety boots are in stock at KES 4,500."),
            ("in", "Great, I need 12 pairs for my construction crew. Any discount?"),
        ],
    ),
    (
        "Otieno Ochieng",
        "+254722000111",
        LeadStage.CONTACTED,
        LeadLabel.WARM,
        55,
        SourceType.DIRECT,
        ConversationStatus.PENDING,
        [
            ("in", "Can you embroider our company logo on overalls?"),
            ("out", "Yes, from 10 pieces. A colleague will send you a quote today."),
        ],
    ),
    (
        "Amina Hassan",
        "+254733222333",
        LeadStage.NEW,
        None,
        20,
        SourceType.POST,
        ConversationStatus.OPEN,
        [("in", "مرحبا، هل لديكم سترات عاكسة؟")],
    ),
    (
        "Peter Mwangi",
        "+254701999888",
        LeadStage.WON,
        LeadLabel.HOT,
        95,
        SourceType.REFERRAL,
        ConversationStatus.RESOLVED,
        [
            ("in", "Thanks, the gloves arrived today."),
            ("out", "Wonderful, Peter! Thank you for shopping with Kazi Workwear."),
        ],
    ),
]


def workspace_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Contact)).one() == 0 and (
        session.exec(select(func.count()).select_from(Product)).one() == 0
    )


def load_demo_workspace(session: Session) -> None:
    """Fill an empty database with the demo shop. Never called for production databases."""
    now = utcnow()
    profile = BusinessProfile(
        name="Kazi Workwear",
        description=(
            "Safety boots, workwear and protective gear for builders and factories in Nairobi. "
            f"Open {HOURS_TEXT}."
        ),
        address=ADDRESS,
        hours=HOURS,
    )
    session.add(AppSetting(key=PROFILE_KEY, value=profile.model_dump()))
    for sku, name, name_ar, category, price, stock in PRODUCTS:
        session.add(
            Product(
                sku=sku,
                name=name,
                name_ar=name_ar,
                category=category,
                price=Decimal(price),
                currency="KES",
                stock=stock,
            )
        )
    for question, answer in FAQS:
        session.add(KnowledgeArticle(question=question, answer=answer, language="en", tags=["demo"]))
    session.add(
        MessageTemplate(
            name="waiting_list_turn",
            channel=Channel.TWILIO_WHATSAPP,
            body="Hello {{1}}, it's your turn at Kazi Workwear. Please come to the counter.",
            variables=["name"],
            status=TemplateStatus.DRAFT,
        )
    )
    contacts: list[Contact] = []
    for i, (name, phone, stage, label, score, source, status, lines) in enumerate(CUSTOMERS):
        contact = Contact(
            name=name,
            phone_e164=phone,
            whatsapp_id=phone.lstrip("+"),
            lead_stage=stage,
            lead_label=label,
            lead_score=score,
            source_type=source,
            language="ar" if name == "Amina Hassan" else "en",
            tags=["demo"],
        )
        session.add(contact)
        session.flush()
        contacts.append(contact)
        start = now - timedelta(hours=6 * (len(CUSTOMERS) - i))
        conversation = Conversation(
            contact_id=contact.id,
            channel=Channel.SIMULATOR,
            status=status,
            last_inbound_at=start,
            last_message_at=start,
        )
        session.add(conversation)
        session.flush()
        for j, (direction, body) in enumerate(lines):
            at = start + timedelta(minutes=2 * j)
            inbound = direction == "in"
            session.add(
                Message(
                    conversation_id=conversation.id,
                    channel=Channel.SIMULATOR,
                    direction=MessageDirection.INBOUND if inbound else MessageDirection.OUTBOUND,
                    body=body,
                    status=MessageStatus.RECEIVED if inbound else MessageStatus.READ,
                    provider_message_id=f"demo-{contact.id}-{j}",
                    created_at=at,
                    from_assistant=not inbound,
                )
            )
            conversation.last_message_at = at
            if inbound:
                conversation.last_inbound_at = at
        session.add(
            LeadActivity(
                contact_id=contact.id, kind=ActivityKind.NOTE, summary=f"Demo lead from {source.value}."
            )
        )
    shop = WaitingList(
        name="Moi Avenue shop",
        description="Fitting and collection counter",
        display_token=secrets.token_urlsafe(24),
    )
    session.add(shop)
    session.flush()
    for position, contact in enumerate(contacts[:2], start=1):
        session.add(WaitingListEntry(waiting_list_id=shop.id, contact_id=contact.id, position=position))
    session.add(
        Review(
            contact_id=contacts[3].id,
            product_name="Leather work gloves",
            customer_name="Peter",
            rating=5,
            text="Tough gloves and quick delivery.",
        )
    )
    session.flush()
