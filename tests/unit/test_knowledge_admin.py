"""Admins keep the FAQ and catalog; CSV imports keep the good rows and name the bad lines."""

import pytest
from sqlmodel import select

from aisha_app.actions import knowledge
from aisha_app.errors import AppError, Forbidden
from aisha_app.models import KnowledgeArticle, Product

CSV = """sku,name,name_ar,category,price,currency,stock
BOOT-1,Steel-toe safety boots,حذاء أمان,Footwear,4500,KES,18
VEST-2,Reflective vest,,Hi-vis,"1,650",kes,
BAD-3,Broken price,,Misc,cheap,KES,1
BAD-4,Negative,,Misc,-5,KES,1
"""


def test_a_products_csv_saves_the_good_rows_and_names_the_bad_lines(session, world):
    saved, problems = knowledge.import_csv(session, CSV, world.admin, "products")
    assert saved == 2
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 5"]
    assert "price 'cheap' is not a number" in problems[0]
    vest = session.exec(select(Product).where(Product.sku == "VEST-2")).one()
    assert (str(vest.price), vest.currency, vest.stock) == ("1650.00", "KES", None)


def test_importing_again_updates_by_sku(session, world):
    knowledge.import_csv(session, CSV, world.admin, "products")
    knowledge.import_csv(
        session, "sku,name,price\nBOOT-1,Steel-toe safety boots,4800\n", world.admin, "products"
    )
    boots = session.exec(select(Product).where(Product.sku == "BOOT-1")).all()
    assert [str(b.price) for b in boots] == ["4800.00"]


def test_a_csv_without_the_needed_columns_is_refused_whole(session, world):
    with pytest.raises(AppError, match="including answer, question"):
        knowledge.import_csv(session, "q,a\nx,y\n", world.admin, "articles")


def test_faq_import_and_edit(session, world):
    saved, problems = knowledge.import_csv(
        session,
        'question,answer,language,tags\nDo you deliver?,Yes within Nairobi,en,"delivery,shipping"\n',
        world.admin,
        "articles",
    )
    assert (saved, problems) == (1, [])
    article = session.exec(select(KnowledgeArticle)).one()
    assert article.tags == ["delivery", "shipping"]
    knowledge.save_article(
        session,
        knowledge.ArticleIn(question="Do you deliver?", answer="Yes, everywhere"),
        world.admin,
        article.id,
    )
    session.refresh(article)
    assert article.answer == "Yes, everywhere"


def test_agents_cannot_change_the_knowledge(session, world):
    with pytest.raises(Forbidden):
        knowledge.import_csv(session, CSV, world.agent, "products")
    with pytest.raises(Forbidden):
        knowledge.save_product(session, knowledge.ProductIn(name="x", price=1), world.agent)
