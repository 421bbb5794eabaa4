"""The built-in responder: keywords for intents, the knowledge base for facts, a person otherwise.

It never invents a price, stock level or policy: figures come from the catalog or the FAQ,
and when nothing matches well it says a person will reply and hands the conversation over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from aisha_app.actions import waiting_list
from aisha_app.actions.app_settings import get_setting
from aisha_app.assistant import tools
from aisha_app.assistant.knowledge import Passage, normalize, search
from aisha_app.assistant.profile import BusinessProfile

KEYWORDS_KEY = "assistant_keywords"
MIN_SCORE = 0.3

# Intent -> words or phrases (normalised) in English, Arabic and Swahili. Admins may override.
DEFAULT_KEYWORDS: dict[str, list[str]] = {
    "human": [
        "human",
        "person",
        "agent",
        "staff",
        "someone",
        "real person",
        "talk to",
        "speak to",
        "manager",
        "mtu",
        "موظف",
        "شخص",
        "انسان",
        "خدمه العملاء",
    ],
    "goodbye": ["thanks", "thank you", "bye", "goodbye", "asante", "kwaheri", "شكرا", "مع السلامه"],
    "hours": [
        "open",
        "opening",
        "hours",
        "close",
        "closing",
        "closed",
        "what time",
        "saa ngapi",
        "mnafungua",
        "ساعات",
        "تفتح",
        "مفتوح",
        "دوام",
        "متى",
    ],
    "location": [
        "where",
        "location",
        "address",
        "located",
        "directions",
        "find you",
        "wapi",
        "mahali",
        "اين",
        "وين",
        "عنوان",
        "موقع",
        "مكان",
    ],
    "price": [
        "price",
        "cost",
        "how much",
        "bei",
        "kiasi gani",
        "pesa ngapi",
        "سعر",
        "بكم",
        "كم سعر",
        "تكلفه",
    ],
    "waiting_list": ["queue", "waiting list", "join the list", "my turn", "foleni", "دور", "قائمه الانتظار"],
    "review": ["review", "feedback", "rate you", "maoni", "تقييم", "رايي", "رأيي"],
    "greeting": [
        "hi",
        "hello",
        "hey",
        "good morning",
        "good afternoon",
        "habari",
        "jambo",
        "mambo",
        "salam",
        "مرحبا",
        "السلام عليكم",
        "اهلا",
    ],
}

TEXT = {
    "greeting": {
        "en": "Hello! Welcome to {name}. How can I help you today?",
        "ar": "مرحبا! أهلا بك في {name}. كيف يمكنني مساعدتك؟",
        "sw": "Habari! Karibu {name}. Nikusaidie vipi leo?",
    },
    "goodbye": {
        "en": "You're welcome! Write any time.",
        "ar": "على الرحب والسعة! راسلنا في أي وقت.",
        "sw": "Karibu! Tuandikie wakati wowote.",
    },
    "price": {
        "en": "{product} costs {currency} {price}.",
        "ar": "سعر {product} هو {price} {currency}.",
        "sw": "{product} ni {currency} {price}.",
    },
    "in_stock": {
        "en": " We have {stock} in stock.",
        "ar": " لدينا {stock} في المخزون.",
        "sw": " Tuna {stock} dukani.",
    },
    "out_of_stock": {
        "en": " It is out of stock at the moment.",
        "ar": " غير متوفر حاليا.",
        "sw": " Imeisha kwa sasa.",
    },
    "hours": {
        "en": "Our opening hours: {hours}.",
        "ar": "مواعيد العمل: {hours}.",
        "sw": "Saa zetu: {hours}.",
    },
    "location": {"en": "You can find us at {address}.", "ar": "عنواننا: {address}.", "sw": "Tupo {address}."},
    "handoff_open": {
        "en": "I'll pass this to a colleague, who will reply here shortly.",
        "ar": "سأحول رسالتك إلى أحد الزملاء وسيرد عليك هنا قريبا.",
        "sw": "Nitampa mwenzangu ujumbe huu, atakujibu hapa hivi karibuni.",
    },
    "closed_ack": {
        "en": "Thank you, we have your message. We are closed now; a colleague will reply when we "
        "open, {when}.",
        "ar": "شكرا، وصلتنا رسالتك. نحن مغلقون الآن وسيرد عليك أحد الزملاء عند الافتتاح ({when}).",
        "sw": "Asante, tumepokea ujumbe wako. Tumefunga sasa; mwenzangu atakujibu tukifungua, {when}.",
    },
    "handoff_closed": {
        "en": "I'll pass this to a colleague. We are closed now; they will reply when we open, {when}.",
        "ar": "سأحول رسالتك إلى أحد الزملاء. نحن مغلقون الآن وسيرد عليك عند الافتتاح ({when}).",
        "sw": "Nitampa mwenzangu ujumbe huu. Tumefunga sasa; atakujibu tukifungua, {when}.",
    },
}


@dataclass
class Reply:
    text: str
    decision: str  # continue | handoff | resolve
    intent: str | None = None
    passages: list[Passage] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)
    tokens_used: int = 0
    reason: str | None = None  # why a handoff: what staff read at the top of the thread


# Why the offline responder handed a conversation to staff, as they read it.
HANDOFF_REASONS = {
    "human": "The customer asked for a person.",
    "photo": "The customer sent a photo the assistant cannot see.",
    "no_answer": "The assistant had no answer from the catalog or the FAQ.",
}


def language_of(text: str) -> str:
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    swahili = {
        "habari",
        "bei",
        "wapi",
        "nini",
        "gani",
        "asante",
        "karibu",
        "saa",
        "nataka",
        "mnafungua",
        "jambo",
    }
    return "sw" if set(normalize(text).split()) & swahili else "en"


def intent_of(text: str, keywords: dict[str, list[str]]) -> str | None:
    padded = " " + " ".join(re.findall(r"\w+", normalize(text))) + " "
    for intent, phrases in keywords.items():  # in order: "human" before "greeting"
        if any(f" {normalize(p)} " in padded for p in phrases):
            return intent
    return None


def _say(key: str, lang: str, **values: object) -> str:
    return TEXT[key].get(lang, TEXT[key]["en"]).format(**values)


def handoff(
    profile: BusinessProfile, lang: str, now: datetime, intent: str | None = None, reason: str | None = None
) -> Reply:
    reason = reason or HANDOFF_REASONS["human" if intent == "human" else "no_answer"]
    when = profile.next_opening(now)
    if profile.hours and not profile.is_open(now) and when:
        return Reply(_say("handoff_closed", lang, when=when), "handoff", intent, reason=reason)
    return Reply(_say("handoff_open", lang), "handoff", intent, reason=reason)


def closed_for_now(lang: str, when: str) -> str:
    """What a customer waiting for staff hears when they write while the shop is closed."""
    return _say("closed_ack", lang, when=when)


def _product_reply(p: Passage, lang: str) -> str:
    name = p.name_ar if lang == "ar" and p.name_ar else p.title
    price = f"{p.price:,.2f}".rstrip("0").rstrip(".") if p.price is not None else None
    text = _say("price", lang, product=name, currency=p.currency, price=price)
    if p.stock is not None:
        text += _say("in_stock", lang, stock=p.stock) if p.stock > 0 else _say("out_of_stock", lang)
    return text


def _journey(ctx: tools.ToolContext, intent: str) -> Reply:
    """Waiting list and review intents act through the same tools the model uses."""
    if intent == "review":
        result = tools.run(ctx, "start_review", {})
        text = ctx.reply_override or result.get("error", "")
        return Reply(text, "continue", intent, tools_called=ctx.called)
    contact = ctx.contact
    on_list = contact is not None and waiting_list.current_entry(ctx.session, contact.id) is not None
    result = tools.run(ctx, "waiting_list_position" if on_list else "join_waiting_list", {})
    if "error" in result:
        return Reply(result["error"], "continue", intent, tools_called=ctx.called)
    text = waiting_list.standing_message(
        ctx.lang,
        result["list"],
        result["position"],
        result["estimated_wait_minutes"],
        called=result["called"],
        joined=not (on_list or result["already_on_the_list"]),
    )
    return Reply(text, "continue", intent, tools_called=ctx.called)


def respond(
    session: Session, profile: BusinessProfile, text: str, now: datetime, ctx: tools.ToolContext | None = None
) -> Reply:
    lang = language_of(text)
    keywords = get_setting(session, KEYWORDS_KEY, None) or DEFAULT_KEYWORDS
    intent = intent_of(text, keywords)
    if intent == "human":
        return handoff(profile, lang, now, intent)
    if intent in ("waiting_list", "review"):
        return _journey(ctx or tools.ToolContext(session, profile, lang=lang), intent)
    passages = [p for p in search(session, text) if p.score >= MIN_SCORE]
    best = passages[0] if passages else None
    if best and best.kind == "product" and best.price is not None:
        return Reply(_product_reply(best, lang), "continue", intent or "price", passages, ["search_products"])
    if best and best.kind == "faq":
        return Reply(best.text, "continue", intent, passages, ["search_knowledge"])
    if intent == "hours" and profile.hours:
        return Reply(
            _say("hours", lang, hours=profile.hours_text()),
            "continue",
            intent,
            tools_called=["get_business_info"],
        )
    if intent == "location" and profile.address:
        return Reply(
            _say("location", lang, address=profile.address),
            "continue",
            intent,
            tools_called=["get_business_info"],
        )
    if intent == "goodbye":
        return Reply(_say("goodbye", lang), "resolve", intent)
    if intent == "greeting" and len(text.split()) <= 4:
        return Reply(_say("greeting", lang, name=profile.name), "continue", intent)
    # Prices, stock and policies come from the catalog and the FAQ, or from a person: never guessed.
    return handoff(profile, lang, now, intent)
