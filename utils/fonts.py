"""The one place that sets up fonts: Latin text in DejaVu Sans, Hangul in NanumGothic.

NanumGothic comes from the pinned `koreanize-matplotlib` wheel; we only read its font file (importing that
package would change matplotlib's global settings), so Hangul renders on any machine with `requirements.txt`.
"""

import contextlib
import importlib.util
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

HANGUL_FONT = "NanumGothic"
FONT_FAMILY = ["DejaVu Sans", HANGUL_FONT]  # matplotlib falls back glyph by glyph along this list


def _register_hangul_font():
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("koreanize-matplotlib (which ships NanumGothic) is missing: pip install -r requirements.txt")
    font_file = Path(next(iter(spec.submodule_search_locations))) / "fonts" / f"{HANGUL_FONT}.ttf"
    if HANGUL_FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(font_file))


@contextlib.contextmanager
def font_context():
    """Create figures inside this context so their text can hold Hangul; changes no global setting."""
    _register_hangul_font()
    with mpl.rc_context({"font.family": FONT_FAMILY}):
        yield
