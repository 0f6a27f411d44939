"""Phone numbers to try: the rule written out on its own, and texts that break it."""

from __future__ import annotations

from hypothesis import strategies as st


def is_phone(text: str) -> bool:
    """The rule, written out independently of the code under test."""
    number = text.strip()
    body = number.removeprefix("+")
    digits = sum(c in "0123456789" for c in body)
    return (
        len(number) <= 40
        and body[:1] in set("0123456789")
        and body[-1:] in set("0123456789")
        and all(c in "0123456789 -" for c in body)
        and 6 <= digits <= 20
    )


_DIGITS = st.text("0123456789", min_size=1, max_size=6)
SHAPED = st.lists(_DIGITS, min_size=1, max_size=6).flatmap(
    lambda groups: st.tuples(
        st.sampled_from(["", "+"]),
        st.lists(
            st.sampled_from([" ", "-", "  ", "--"]),
            min_size=len(groups) - 1,
            max_size=len(groups) - 1,
        ),
    ).map(lambda p: p[0] + "".join(g + s for g, s in zip(groups, [*p[1], ""], strict=True)))
)
"""Numbers of the right shape, with any count of digits (too few and too many included)."""
SPOILT = st.tuples(SHAPED, st.text(min_size=1, max_size=3), st.integers(0, 40)).map(
    lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
)
"""Such a number with some other characters put somewhere into it."""
ANY = st.one_of(st.text(max_size=45), SHAPED, SPOILT)
"""Any text, numbers of the right shape and spoilt ones."""
INVALID = ANY.filter(lambda text: not is_phone(text))
"""Texts that are not phone numbers by the rule."""
