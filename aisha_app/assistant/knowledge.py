"""Finding what the business knows that matches a customer's words, in English, Arabic or Swahili.

Scores are word overlaps after light normalisation (case, Arabic letter variants and
diacritics, English plurals), so a question matches an FAQ or a product by the words they share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from aisha_app.models import KnowledgeArticle, Product

_STOPWORDS = (
    "a an the is are do does you your i me my we our to of in on at for and or it this that what which how "
    "can could would please with have has be there any some from get ya na ni kwa je za wa la "
    "هل في من على الى إلى عن ما هو هي انا أنا لديكم عندكم"
)
STOPWORDS = set(_STOPWORDS.split())
ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
WORD = re.compile(r"[\w']+", re.UNICODE)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower().translate(ARABIC_VARIANTS)
    return "".join(ch for ch in text if not unicodedata.combining(ch) and not "\u064b" <= ch <= "\u0652")


def stem(word: str) -> str:
    if word.isascii() and len(word) > 4 and word.endswith("es") and not word.endswith("ses"):
        return word[:-2]
    if word.isascii() and len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    if not word.isascii() and word.startswith("ال") and len(word) > 4:
        return word[2:]  # Arabic definite article
    return word


def words(text: str) -> set[str]:
    return {stem(w) for w in WORD.findall(normalize(text)) if len(w) > 1 and w not in STOPWORDS}


def article_words(article: KnowledgeArticle) -> set[str]:
    return words(article.question + " " + " ".join(article.tags or []))


def product_words(product: Product) -> set[str]:
    return words(f"{product.name} {product.name_ar or ''} {product.category or ''} {product.sku or ''}")


@dataclass
class Passage:
    kind: str  # "faq" | "product"
    id: int
    title: str
    text: str
    score: float
    price: Decimal | None = None
    currency: str | None = None
    stock: int | None = None
    name_ar: str | None = None
    sku: str | None = None


def _score(query: set[str], target: set[str]) -> float:
    """How much of the question the target covers, a little more for a target that is all match."""
    shared = query & target
    if not shared:
        return 0.0
    coverage, precision = len(shared) / len(query), len(shared) / len(target)
    return coverage * (0.7 + 0.3 * precision)


def search(session: Session, text: str, limit: int = 3) -> list[Passage]:
    """The best matching FAQ articles and products, best first.

    The database's full-text index proposes candidates; shared words rank them.
    """
    from aisha_app.assistant.index import candidates

    query = words(text)
    found_ids = candidates(session.connection(), text)
    faq_ids = [ref for kind, ref in found_ids if kind == "faq"]
    product_ids = [ref for kind, ref in found_ids if kind == "product"]
    found: list[Passage] = []
    if faq_ids:
        for article in session.exec(
            select(KnowledgeArticle).where(KnowledgeArticle.is_active, col(KnowledgeArticle.id).in_(faq_ids))
        ).all():
            score = _score(query, article_words(article))
            if score:
                found.append(Passage("faq", article.id, article.question, article.answer, score))
    if product_ids:
        for product in session.exec(
            select(Product).where(Product.is_active, col(Product.id).in_(product_ids))
        ).all():
            score = _score(query, product_words(product)) * 1.15  # a named product is usually what is asked
            if score:
                found.append(
                    Passage(
                        "product",
                        product.id,
                        product.name,
                        product.description or "",
                        score,
                        product.price,
                        product.currency,
                        product.stock,
                        product.name_ar,
                        product.sku,
                    )
                )
    return sorted(found, key=lambda p: p.score, reverse=True)[:limit]
