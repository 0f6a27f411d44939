"""The phone rule of drivers: an optional +, then 6 to 20 digits, spaces or dashes between."""

from __future__ import annotations

import pytest
from hypothesis import given

from fleetline.domain.errors import InvalidField
from fleetline.domain.values import validate_phone

from .phones import ANY, is_phone


@given(text=ANY)
def test_the_rule_accepts_exactly_the_numbers_of_the_accepted_shape(text: str) -> None:
    """``validate_phone`` returns the stripped number when the rule holds, and raises
    ``InvalidField`` on the field it is told otherwise."""
    if is_phone(text):
        assert validate_phone(text) == text.strip()
    else:
        with pytest.raises(InvalidField) as refused:
            validate_phone(text, "contact.phone")
        assert refused.value.field == "contact.phone"


def test_the_refusal_says_how_to_write_a_number() -> None:
    """The message is one an admin can act on."""
    with pytest.raises(InvalidField, match=r"not a phone number\. Use an optional \+"):
        validate_phone("+41 (0)79 123 45 67")
