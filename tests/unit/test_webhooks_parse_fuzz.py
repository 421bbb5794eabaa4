"""Every recorded payload, with odd values put anywhere in it: parsing refuses (400) or reads it.

Whatever it reads can be stored and shown: text without NUL or lone surrogates, numbers that are
finite, ids within their columns. A seeded random walk, so a failure repeats.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from pathlib import Path

import pytest

from aisha_app.services.messaging import adapter_for
from aisha_app.services.messaging.base import ParsedWebhook, WebhookRejected
from tests.unit.support import FIXTURES

ODD = [
    None,
    True,
    0,
    -1,
    10**20,
    1.5,
    "",
    "x" * 5000,
    "\ud800",
    "a\x00b",
    "javascript:alert(1)",
    [],
    ["x"],
    [[["deep"]]],
    {},
    {"body": {"body": "x"}},
    "@1e400@",
    "@Infinity@",
    "@NaN@",
]


def _spots(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _spots(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _spots(value, (*path, i))


def _put(data, path, value):
    if not path:
        return value
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


def _body(data) -> bytes:
    text = json.dumps(data)
    for raw in ("1e400", "Infinity", "NaN"):
        text = text.replace(f'"@{raw}@"', raw)
    return text.encode()


def _storable(parsed: ParsedWebhook) -> None:
    def check(value):
        if isinstance(value, str):
            assert "\x00" not in value
            value.encode("utf-8")  # no lone surrogates
        elif isinstance(value, dict):
            for k, v in value.items():
                check(k)
                check(v)
        elif isinstance(value, list):
            for v in value:
                check(v)

    for m in parsed.messages:
        assert isinstance(m.provider_message_id, str) and 0 < len(m.provider_message_id) <= 128
        assert isinstance(m.sender, str) and len(m.sender) <= 64
        assert m.body is None or isinstance(m.body, str)
        assert m.sender_name is None or (isinstance(m.sender_name, str) and len(m.sender_name) <= 200)
        for media in m.media:
            assert media.url is None or media.url.startswith(("https://", "http://127.0.0.1"))
            assert media.content_type is None or len(media.content_type) <= 128
        json.dumps(m.meta, allow_nan=False)
        check([m.body, m.sender_name, m.meta, m.referral])
    for s in parsed.statuses:
        assert s.error_code is None or len(s.error_code) <= 32
        check([s.provider_message_id, s.error_text])
    for kind in parsed.ignored:
        check(kind)


@pytest.mark.parametrize("provider", ["whatsapp_cloud", "messenger"])
def test_odd_values_anywhere_in_a_recorded_payload_are_refused_or_read_storably(provider):
    rng = random.Random(9)
    adapter = adapter_for(provider)
    for fixture in sorted((FIXTURES / provider).glob("*.json")):
        original = json.loads(Path(fixture).read_text())
        spots = list(_spots(original))
        for _ in range(120):
            data = json.loads(json.dumps(original))
            for path in rng.sample(spots, min(2, len(spots))):
                with contextlib.suppress(KeyError, IndexError, TypeError):  # an earlier change took it
                    data = _put(data, path, copy.deepcopy(rng.choice(ODD)))
            try:
                parsed = adapter.parse(_body(data), None)
            except WebhookRejected as exc:
                assert exc.status == 400
                continue
            _storable(parsed)


def test_odd_values_in_any_twilio_field_are_refused_or_read_storably():
    rng = random.Random(9)
    adapter = adapter_for("twilio_whatsapp")
    texts = ["", "x" * 5000, "a\x00b", "\ufffd", "1e400", "Infinity", "-1", "100000000000000000000", "[[[["]
    for fixture in sorted((FIXTURES / "twilio").glob("*.json")):
        original = json.loads(Path(fixture).read_text())
        keys = [*original, "MediaUrl0", "Latitude", "Longitude", "ButtonPayload", "ReferralSourceId"]
        for _ in range(120):
            form = dict(original)
            for key in rng.sample(keys, 2):
                form[key] = rng.choice(texts)
            try:
                parsed = adapter.parse(b"", form)
            except WebhookRejected as exc:
                assert exc.status == 400
                continue
            _storable(parsed)
