"""Contacts as CSV: every field and a column per custom attribute, the filters of the list,
safe to open in a spreadsheet, for admins only, streamed page by page."""

from __future__ import annotations

import csv
import io

from aisha_app.models import Contact
from aisha_app.models.base import utcnow
from aisha_app.queries import contacts_csv
from tests.unit.support import AGENT_PASSWORD, login


def exported(client, headers, **params) -> list[dict[str, str]]:
    answer = client.get("/api/contacts/export.csv", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="contacts.csv"' in answer.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_every_field_and_attribute_is_exported_and_formulas_stay_text(client, owner, session, world):
    wanjiru, amina = world.contacts
    wanjiru.tags, wanjiru.attributes = ["vip", "boots"], {"shoe size": 42, "city": "Nakuru"}
    wanjiru.birthday_month, wanjiru.birthday_day, wanjiru.timezone = 2, 29, "Africa/Nairobi"
    amina.name, amina.attributes = '=HYPERLINK("http://evil.test","Amina")', {"city": "+1+1"}
    session.add_all([wanjiru, amina])
    session.add(Contact(name="Gone", phone_e164="+254700999888", deleted_at=utcnow()))
    session.commit()
    rows = exported(client, owner)
    assert [r["phone"] for r in rows] == ["+254712345678", "+254733222333"]  # oldest first; not the deleted
    first, second = rows
    assert (first["tags"], first["birthday_day"], first["birthday_month"], first["birthday_year"]) == (
        "vip, boots",
        "29",
        "2",
        "",
    )
    assert (first["attributes.shoe size"], first["attributes.city"], first["timezone"]) == (
        "42",
        "Nakuru",
        "Africa/Nairobi",
    )
    assert first["lead_stage"] == "NEW" and first["opted_out"] == "False"
    assert second["name"] == '\'=HYPERLINK("http://evil.test","Amina")'  # text, not a formula
    assert second["attributes.city"] == "'+1+1" and second["attributes.shoe size"] == ""


def test_the_export_takes_the_lists_filters_and_pages_through_them(
    client, owner, session, world, monkeypatch
):
    monkeypatch.setattr(contacts_csv, "PAGE", 3)
    session.add_all(
        [
            Contact(name=f"Buyer {i}", phone_e164=f"+2547110000{i:02d}", tags=["bought"] if i % 2 else [])
            for i in range(9)
        ]
    )
    session.commit()
    assert len(exported(client, owner)) == 11
    tagged = exported(client, owner, tag="bought")
    assert [r["name"] for r in tagged] == ["Buyer 1", "Buyer 3", "Buyer 5", "Buyer 7"]
    assert [r["name"] for r in exported(client, owner, q="Wanjiru")] == ["Wanjiru"]
    assert exported(client, owner, stage="WON") == []  # the header alone


def test_only_admins_export_contacts(client, world):
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.get("/api/contacts/export.csv", headers=agent).status_code == 403
    client.cookies.clear()
    assert client.get("/api/contacts/export.csv").status_code == 401
