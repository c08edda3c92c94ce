"""The fake Bot API refuses what Telegram refuses: the end-to-end tests are only as strict as it."""

from __future__ import annotations

import httpx
import pytest

from tests.fake_telegram import TOKEN, FakeTelegram, RateLimits
from tests.fake_telegram_html import EntityParseError, parse_html, utf16_len


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<b>bold</b> &amp; <a href='https://x.org/?a=1&amp;b=2'>link</a>", "bold & link"),
        ("&lt;script&gt; &quot;q&quot; &#39;s&#x27;", "<script> \"q\" 's'"),
        ("<pre><code class='language-py'>x</code></pre>", "x"),
        ('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>', "sq"),
    ],
)
def test_valid_html_is_parsed_to_what_users_see(source: str, text: str) -> None:
    assert parse_html(source)[0] == text


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script"'),
        ("<b>never closed", "Can't find end tag"),
        ("<b><i>crossed</b></i>", "Unmatched end tag"),
        ("Tom & Jerry", "end of the entity"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("a > b", "Unescaped"),
        ("<span>x</span>", "tg-spoiler"),
        ("<code><b>x</b></code>", "nested"),
        ("</b>", "Unexpected end tag"),
    ],
)
def test_invalid_html_is_refused(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError, match=reason):
        parse_html(source)


def test_entity_offsets_count_utf16_units() -> None:
    text, entities = parse_html("😀 <b>x</b>")
    assert text == "😀 x"
    assert entities == [{"type": "bold", "offset": 3, "length": 1}]
    assert utf16_len("😀") == 2


def _post(fake: FakeTelegram, method: str, **params: object) -> httpx.Response:
    return httpx.post(f"{fake.api_root}/bot{TOKEN}/{method}", json=params)


def test_send_message_limits_and_errors() -> None:
    with FakeTelegram() as fake:
        fake.add_chat(5)
        assert _post(fake, "sendMessage", chat_id=5, text="x" * 4096).json()["ok"]
        too_long = _post(fake, "sendMessage", chat_id=5, text="x" * 4097).json()
        assert too_long["description"] == "Bad Request: message is too long"
        html_ok = _post(fake, "sendMessage", chat_id=5, text="&amp;" * 4096, parse_mode="HTML")
        assert html_ok.json()["ok"], "the limit counts text after entity parsing"
        assert _post(fake, "sendMessage", chat_id=5, text=" \n").status_code == 400
        assert _post(fake, "sendMessage", chat_id=6, text="hi").json()["description"] == (
            "Bad Request: chat not found"
        )
        button = {"text": "Next", "callback_data": "x" * 65}
        markup = {"inline_keyboard": [[button]]}
        refused = _post(fake, "sendMessage", chat_id=5, text="hi", reply_markup=markup).json()
        assert refused["description"] == "Bad Request: BUTTON_DATA_INVALID"
        fake.blocked.add(5)
        assert _post(fake, "sendMessage", chat_id=5, text="hi").status_code == 403
        assert len(fake.bot_messages(5)) == 2
        assert httpx.post(f"{fake.api_root}/botWRONG/getMe").status_code == 401


def test_scripted_failure_and_rate_limits_answer_429_with_retry_after() -> None:
    with FakeTelegram() as fake:
        fake.add_chat(5)
        fake.fail_next("sendMessage", 429, retry_after=7)
        answer = _post(fake, "sendMessage", chat_id=5, text="hi").json()
        assert answer["parameters"] == {"retry_after": 7}
        now = [0.0]
        fake.limits = RateLimits(private_burst=2, clock=lambda: now[0])
        codes = [_post(fake, "sendMessage", chat_id=5, text="hi").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        now[0] += 1.0
        assert _post(fake, "sendMessage", chat_id=5, text="hi").status_code == 200


async def test_wait_for_wakes_on_the_next_call_and_edits_are_applied() -> None:
    with FakeTelegram() as fake:
        fake.add_chat(5)
        since = fake.mark()
        async with httpx.AsyncClient() as client:
            url = f"{fake.api_root}/bot{TOKEN}/"
            sent = (await client.post(url + "sendMessage", json={"chat_id": 5, "text": "a"})).json()
            message_id = sent["result"]["message_id"]
            edit = {"chat_id": 5, "message_id": message_id, "text": "a"}
            same = await client.post(url + "editMessageText", json=edit)
            assert "message is not modified" in same.json()["description"]
            await client.post(url + "editMessageText", json={**edit, "text": "b"})
        call = await fake.wait_call("editMessageText", since=since, chat_id=5)
        assert call.params["text"] == "b"
        assert [(m.text, m.edits) for m in fake.bot_messages(5)] == [("b", ["a"])]
