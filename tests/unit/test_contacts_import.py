"""Contacts from a CSV: matched by phone however it is written, each line's outcome reported
with why a line was refused, a preview that keeps nothing, and the export read back in."""

from __future__ import annotations

from sqlmodel import select

from aisha_app.models import AuditLog, Contact, Job
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login

CSV = """name,phone,email,tags,birthday_day,birthday_month,timezone,attributes.city,colour
Wanjiru Kamau,0712 345 678,,gold-card,,,,Nakuru,blue
Baraka Otieno,+254 722 000 001,baraka@example.test,"vip, boots",29,2,Africa/Nairobi,Kisumu,
Bad Date,0722000002,,,31,2,,,
No Phone,,,,,,,,
Nobody New,call me,,,,,,,
,0722000004,,,,,,,
Mars Time,0722000005,,,,,Mars/Olympus_Mons,,
"""


def imported(client, owner, text: str, **params) -> dict:
    answer = client.post(
        "/api/contacts/import",
        content=text.encode(),
        params=params,
        headers=owner | {"Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def contacts(session) -> dict[str, Contact]:
    session.expire_all()
    return {c.phone_e164: c for c in session.exec(select(Contact)).all()}


def test_a_preview_says_what_each_line_would_do_and_keeps_nothing(client, owner, session, world):
    before = contacts(session)
    jobs_before = len(session.exec(select(Job)).all())
    report = imported(client, owner, CSV, preview="true")
    assert report["preview"] is True
    assert (report["created"], report["updated"], report["refused"]) == (1, 1, 5)
    assert report["ignored_columns"] == ["colour"]
    outcomes = {line["line"]: (line["outcome"], line["detail"]) for line in report["lines"]}
    assert outcomes[2][0] == "updated" and "+254712345678" in outcomes[2][1]  # Wanjiru, written locally
    assert outcomes[3] == ("created", "+254722000001")
    assert outcomes[4] == ("refused", "birthday: February has 29 days")
    assert outcomes[5] == ("refused", "no phone number")
    assert outcomes[6][0] == "refused"
    assert outcomes[7] == ("refused", "+254722000004 is new and the line has no name")
    assert outcomes[8][0] == "refused" and "unknown time zone 'Mars/Olympus_Mons'" in outcomes[8][1]
    assert contacts(session).keys() == before.keys()  # nothing kept
    assert contacts(session)["+254712345678"].tags == []
    assert len(session.exec(select(Job)).all()) == jobs_before  # no tag_added automations queued


def test_the_import_creates_updates_and_refuses_line_by_line(client, owner, session, world):
    report = imported(client, owner, CSV)
    assert (report["preview"], report["created"], report["updated"], report["refused"]) == (False, 1, 1, 5)
    found = contacts(session)
    wanjiru, baraka = found["+254712345678"], found["+254722000001"]
    assert (wanjiru.name, wanjiru.tags, wanjiru.attributes) == (
        "Wanjiru Kamau",
        ["gold-card"],
        {"city": "Nakuru"},
    )
    assert (baraka.tags, baraka.birthday_day, baraka.birthday_month, baraka.timezone) == (
        ["boots", "vip"],
        29,
        2,
        "Africa/Nairobi",
    )
    assert baraka.email == "baraka@example.test"
    assert "+254722000002" not in found  # the refused lines wrote nothing
    audited = session.exec(select(AuditLog).where(AuditLog.action == "contact.created")).all()
    assert len(audited) == 1
    # The same file again: nothing new, nothing changed (tags are added to a contact's own).
    again = imported(client, owner, CSV)
    assert (again["created"], again["updated"]) == (0, 0)
    assert [line["outcome"] for line in again["lines"][:2]] == ["unchanged", "unchanged"]


def test_the_export_reads_back_in_unchanged(client, owner, session, world):
    imported(client, owner, CSV)
    exported = client.get("/api/contacts/export.csv", headers=owner).text
    report = imported(client, owner, exported)
    assert (report["created"], report["updated"], report["refused"]) == (0, 0, 0)
    assert report["ignored_columns"] == []


def test_only_admins_import_and_a_file_without_a_phone_column_is_refused(client, owner, world):
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    answer = client.post("/api/contacts/import", content=b"name,phone\nA,0722000009\n", headers=agent)
    assert answer.status_code == 403
    owner = login(client, "owner@shop.test", ADMIN_PASSWORD)
    answer = client.post("/api/contacts/import", content=b"name,mobile\nA,0722000009\n", headers=owner)
    assert answer.status_code == 400 and "phone column" in answer.json()["error"]["message"]
    answer = client.post("/api/contacts/import", content=b"\xff\xfe\x00garbage", headers=owner)
    assert answer.status_code == 400
