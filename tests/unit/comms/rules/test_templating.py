"""Templates: every kind in every locale, the English fallback, no injected markup."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import escape

from fleetline.comms.templating import Templates, clock_window, first_name, supported_locale
from fleetline.domain.messages import NoticeKind

TEMPLATES = Templates()
ZONE = ZoneInfo("Europe/Vaduz")


def _values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "client_name": "Bakery Marxer",
        "reference": "L-42",
        "day": "26/11/2026",
        "window": "10:30\u201311:00",
        "promised": "09:00\u201310:30",
        "at": "10:41",
        "reason": "client_absent",
        "proof": True,
        "new_day": None,
        "driver": "Dora",
        "instructions": "",
        "body": "We will call you.",
        "tracking_url": "https://fleetline.example/track/tok",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("locale", ["en", "de", "fr"])
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_renders_in_every_locale(kind: NoticeKind, locale: str) -> None:
    """Each kind has a one-line subject, a text and an HTML body in each locale, all with
    the order's reference, and the text and HTML carry the tracking link."""
    rendered = TEMPLATES.render(kind, locale, _values())
    assert "\n" not in rendered.subject and rendered.subject
    assert "L-42" in rendered.subject or "L-42" in rendered.text
    assert "https://fleetline.example/track/tok" in rendered.text
    assert 'href="https://fleetline.example/track/tok"' in rendered.html
    assert f'lang="{locale}"' in rendered.html


def test_an_unknown_locale_falls_back_to_english_and_regions_use_their_language() -> None:
    """``pt`` is not translated: English. ``de-CH`` and ``fr_FR`` use German and French."""
    assert supported_locale("pt") == "en"
    assert supported_locale(None) == "en"
    assert supported_locale("de-CH") == "de"
    assert supported_locale("fr_FR") == "fr"
    english = TEMPLATES.render(NoticeKind.DELAY, "pt", _values())
    assert english.subject.startswith("Your delivery L-42 is delayed")


def test_times_are_local_clock_times_and_only_a_first_name_is_shown() -> None:
    """A window in UTC is told in the company's zone; a driver's full name shows its
    first name only."""
    start = datetime.fromisoformat("2026-11-26T09:30:00+00:00")
    end = datetime.fromisoformat("2026-11-26T10:00:00+00:00")
    assert clock_window(start, end, ZONE) == "10:30\u201311:00"
    assert first_name("Dora Maria Driver") == "Dora"
    assert first_name("  ") is None


def test_the_failure_reason_is_told_in_words() -> None:
    """A refused delivery says so in the client's language."""
    words = {"en": "refused", "de": "verweigert", "fr": "refusée"}
    for locale, word in words.items():
        rendered = TEMPLATES.render(NoticeKind.FAILED, locale, _values(reason="refused"))
        assert word in rendered.text and word in rendered.html


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(min_size=1, max_size=60),
    instructions=st.text(max_size=80),
    kind=st.sampled_from(list(NoticeKind)),
)
def test_no_client_value_becomes_markup(name: str, instructions: str, kind: NoticeKind) -> None:
    """Whatever a client's name or instructions hold (``<script>``, quotes, ampersands),
    the HTML body carries them escaped, and the subject stays on one line."""
    hostile = f"<script>alert(1)</script>{name}"
    rendered = TEMPLATES.render(
        kind,
        "en",
        _values(client_name=hostile, instructions=f'"><img src=x>{instructions}'),
    )
    assert "<script>" not in rendered.html
    assert "<img" not in rendered.html
    assert str(escape(hostile)) in rendered.html
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
