"""utils.text pads by display columns, so Korean labels line up in printed tables."""

import pytest

from utils.text import display_width, pad


@pytest.mark.parametrize(("text", "width"), [
    ("Mu", 2), ("일치 없음", 9), ("(일치 없음)", 11), ("리브-원-아웃", 12), ("ＡＢ", 4), ("", 0),
])
def test_display_width_counts_hangul_twice(text, width):
    """A Hangul syllable or a fullwidth letter takes two columns, ASCII one."""
    assert display_width(text) == width


def test_pad_lines_up_mixed_labels():
    """Padded to the same width, ASCII and Hangul labels end in the same column, left or right aligned."""
    for align in "<>":
        padded = [pad(label, 12, align) for label in ("Zachary", "(일치 없음)", "리브-원-아웃")]
        assert [display_width(p) for p in padded] == [12, 12, 12]
        assert padded[0] == (f"{'Zachary':<12}" if align == "<" else f"{'Zachary':>12}")


def test_pad_names_a_wrong_alignment():
    """An alignment other than < or > is an error that names the argument."""
    with pytest.raises(ValueError, match="align"):
        pad("키", 4, "^")
