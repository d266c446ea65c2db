"""Text for printed tables: Hangul and other East Asian wide characters take two columns in a terminal or a notebook."""

import unicodedata


def display_width(text):
    """The number of columns `text` takes: 2 for a wide or fullwidth character (Hangul, CJK), else 1."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in str(text))


def pad(text, width, align="<"):
    """`text` padded with spaces to `width` columns (not characters), like f"{text:<width}" for ASCII text."""
    if align not in ("<", ">"):
        raise ValueError(f"align must be '<' (left) or '>' (right), got {align!r}")
    text = str(text)
    spaces = " " * max(0, width - display_width(text))
    return text + spaces if align == "<" else spaces + text
