"""The company's time zone field accepts exactly the IANA zone names, and refuses the
rest on ``timezone``."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from fleetline.api.schemas_admin import CompanyPatch

ZONES = sorted(available_timezones())


@given(st.sampled_from(ZONES))
def test_every_iana_zone_name_is_accepted_as_written(name: str) -> None:
    """A known zone is kept exactly as sent."""
    assert CompanyPatch(timezone=name).timezone == name


@given(st.text(max_size=70).filter(lambda text: text not in available_timezones()))
def test_any_other_text_is_refused_on_timezone(text: str) -> None:
    """Unknown names, paths, blanks and over-long text are a validation error on the field."""
    with pytest.raises(ValidationError) as refused:
        CompanyPatch(timezone=text)
    assert [error["loc"] for error in refused.value.errors()] == [("timezone",)]


def test_leaving_the_zone_out_changes_nothing() -> None:
    """No field given: nothing to change."""
    assert CompanyPatch().timezone is None
