"""SMS segment counting: the committee sees the cost, the gateway sends the parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.sms.segments import (
    PART_LIMIT,
    SINGLE_LIMIT,
    Segments,
    count_segments,
    decode_gsm7,
    encode_gsm7,
    split_for_sms,
)

CHINESE = "乡"
MIXED_UNIT = "积分JF"  # four UTF-16 units, so mixed texts reach every boundary
EMOJI = "😀"  # outside the BMP: two UTF-16 units


def _units(part: str, encoding: str) -> int:
    if encoding == "gsm7":
        return len(encode_gsm7(part))
    return len(part.encode("utf-16-be")) // 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", Segments("gsm7", 0, 1)),
        (CHINESE * 70, Segments("ucs2", 70, 1)),
        (CHINESE * 71, Segments("ucs2", 71, 2)),
        (CHINESE * 134, Segments("ucs2", 134, 2)),
        (CHINESE * 135, Segments("ucs2", 135, 3)),
        ("a" * 160, Segments("gsm7", 160, 1)),
        ("a" * 161, Segments("gsm7", 161, 2)),
        ("a" * 306, Segments("gsm7", 306, 2)),
        ("a" * 307, Segments("gsm7", 307, 3)),
        ("a" * 69 + CHINESE, Segments("ucs2", 70, 1)),
        (MIXED_UNIT * 17 + "a" * 3, Segments("ucs2", 71, 2)),
        (EMOJI * 35, Segments("ucs2", 70, 1)),
        (EMOJI * 36, Segments("ucs2", 72, 2)),
        ("€" * 80, Segments("gsm7", 160, 1)),
        ("€" * 81, Segments("gsm7", 162, 2)),
        ("a" * 159 + "]", Segments("gsm7", 161, 2)),
        ("{}[]^~\\|", Segments("gsm7", 16, 1)),
        ("@£$¥ΔΩ_", Segments("gsm7", 7, 1)),
    ],
    ids=lambda value: repr(value)[:24] if isinstance(value, str) else str(value),
)
def test_count_segments(body: str, expected: Segments) -> None:
    assert count_segments(body) == expected
    assert len(split_for_sms(body)) == expected.parts


@pytest.mark.parametrize("body", ["façade", "back`tick", "¿Qué? ¡Sí! ç", "ä€ë"])
def test_one_character_outside_gsm_makes_the_whole_text_ucs2(body: str) -> None:
    assert count_segments(body).encoding == "ucs2"


def test_empty_text_is_one_part() -> None:
    assert split_for_sms("") == [""]


def test_a_surrogate_pair_is_never_split() -> None:
    body = CHINESE * 66 + EMOJI + CHINESE * 10  # the emoji would straddle units 67-68
    parts = split_for_sms(body)
    assert parts == [CHINESE * 66, EMOJI + CHINESE * 10]
    assert count_segments(body) == Segments("ucs2", 78, 2)


def test_an_escape_pair_is_never_split() -> None:
    body = "a" * 152 + "€" + "b" * 10  # "€" would take septets 153-154
    assert split_for_sms(body) == ["a" * 152, "€" + "b" * 10]


def test_forced_ucs2_uses_ucs2_limits() -> None:
    assert count_segments("a" * 71, "ucs2") == Segments("ucs2", 71, 2)
    assert split_for_sms("a" * 71, "ucs2") == ["a" * 67, "a" * 4]


def test_forced_gsm7_refuses_chinese() -> None:
    with pytest.raises(ValueError):
        split_for_sms(CHINESE, "gsm7")


def test_gsm7_round_trip_and_escapes() -> None:
    body = "Hi @all: {x} costs €5 ^_^ \\o/ [ok] ~ | Δ"
    encoded = encode_gsm7(body)
    assert decode_gsm7(encoded) == body
    assert encode_gsm7("@€") == bytes((0x00, 0x1B, 0x65))


alphabet = st.sampled_from(
    ["a", "Z", "0", " ", "@", "€", "[", "\\", "\n", CHINESE, "，", "积", EMOJI, "👨", "é", "ç"]
)


@given(st.one_of(st.text(alphabet, max_size=500), st.text(max_size=300)))
def test_parts_join_back_and_each_fits(body: str) -> None:
    parts = split_for_sms(body)
    segments = count_segments(body)
    assert "".join(parts) == body
    assert len(parts) == segments.parts
    encoding = segments.encoding
    if len(parts) == 1:
        assert _units(body, encoding) <= SINGLE_LIMIT[encoding]
        return
    limit = PART_LIMIT[encoding]
    for index, part in enumerate(parts):
        assert part
        assert _units(part, encoding) <= limit
        if index + 1 < len(parts):  # greedy: the next character would not have fitted
            assert _units(part + parts[index + 1][0], encoding) > limit
