"""What the journeys say to customers, in English, Arabic and Swahili."""

from __future__ import annotations

WAITING_LIST = {
    "joined": {
        "en": "You're on the {list} waiting list. Your position: {position}. Estimated wait: about "
        "{minutes} min. Reply POSITION to check, LEAVE to leave.",
        "ar": "أنت الآن في قائمة انتظار {list}. دورك: {position}. الانتظار المتوقع: حوالي {minutes} دقيقة. "
        "أرسل «دوري» للمتابعة أو «خروج» للمغادرة.",
        "sw": "Umeongezwa kwenye foleni ya {list}. Nafasi yako: {position}. Muda wa kusubiri: takriban "
        "dakika {minutes}. Jibu POSITION kuangalia, LEAVE kuondoka.",
    },
    "position": {
        "en": "Your position on the {list} waiting list: {position} (about {minutes} min).",
        "ar": "دورك في قائمة انتظار {list}: {position} (حوالي {minutes} دقيقة).",
        "sw": "Nafasi yako kwenye foleni ya {list}: {position} (takriban dakika {minutes}).",
    },
    "moved": {
        "en": "Update: you're now number {position} on the {list} waiting list (about {minutes} min).",
        "ar": "تحديث: دورك الآن {position} في قائمة انتظار {list} (حوالي {minutes} دقيقة).",
        "sw": "Habari mpya: sasa wewe ni nambari {position} kwenye foleni ya {list} "
        "(takriban dakika {minutes}).",
    },
    "called": {
        "en": "It's your turn! Please come to {list} now.",
        "ar": "حان دورك! تفضل إلى {list} الآن.",
        "sw": "Ni zamu yako! Tafadhali njoo {list} sasa.",
    },
    "left": {
        "en": "You've left the {list} waiting list.",
        "ar": "لقد غادرت قائمة انتظار {list}.",
        "sw": "Umeondoka kwenye foleni ya {list}.",
    },
    "not_on_list": {
        "en": "You're not on a waiting list. Reply JOIN to join.",
        "ar": "أنت لست في قائمة الانتظار. أرسل «انضم» للانضمام.",
        "sw": "Hauko kwenye foleni. Jibu JOIN kujiunga.",
    },
}

REVIEW = {
    "product": {
        "en": "Thank you for taking a moment to review us! Which product or service is your review about?",
        "ar": "شكرا لوقتك! عن أي منتج أو خدمة تريد أن تكتب تقييمك؟",
        "sw": "Asante kwa kutupa maoni! Maoni yako ni kuhusu bidhaa au huduma gani?",
    },
    "name": {"en": "What is your name?", "ar": "ما اسمك؟", "sw": "Jina lako ni nani?"},
    "text": {
        "en": "Tell us about your experience with {product}.",
        "ar": "حدثنا عن تجربتك مع {product}.",
        "sw": "Tueleze uzoefu wako na {product}.",
    },
    "rating": {
        "en": "How would you rate it, from 1 (poor) to 5 (excellent)?",
        "ar": "كم تقييمك من 1 (سيئ) إلى 5 (ممتاز)؟",
        "sw": "Ungeipa alama ngapi, kutoka 1 (mbaya) hadi 5 (bora)?",
    },
    "rating_again": {
        "en": "Please answer with a number from 1 to 5.",
        "ar": "من فضلك أجب برقم من 1 إلى 5.",
        "sw": "Tafadhali jibu kwa nambari kutoka 1 hadi 5.",
    },
    "thanks": {
        "en": "Thank you, {name}! Your {rating}-star review of {product} is saved.",
        "ar": "شكرا لك يا {name}! تم حفظ تقييمك ({rating} من 5) لـ {product}.",
        "sw": "Asante, {name}! Maoni yako ya nyota {rating} kuhusu {product} yamehifadhiwa.",
    },
    "sorry": {
        "en": " We're sorry it wasn't better; a colleague will contact you.",
        "ar": " نأسف لأن التجربة لم تكن أفضل؛ سيتواصل معك أحد الزملاء.",
        "sw": " Samahani haikuwa bora; mwenzetu atawasiliana nawe.",
    },
    "cancelled": {
        "en": "No problem, the review is cancelled.",
        "ar": "لا مشكلة، تم إلغاء التقييم.",
        "sw": "Sawa, maoni yameghairiwa.",
    },
}


def say(table: dict[str, dict[str, str]], key: str, lang: str | None, **values: object) -> str:
    """The text in the customer's language (English when we do not have it), filled in."""
    return table[key].get(lang or "en", table[key]["en"]).format(**values)
