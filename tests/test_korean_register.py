"""The Korean edition speaks to its reader in one register: 합니다체/하십시오체 ("확인해 보십시오"), never 해요체
("해 보세요"), in the prose, the figure labels and captions, the code comments and the widget words.

The check is a regex on sentence-final endings: a Hangul word ending in 요 before sentence punctuation, a closing
bracket or quote, or the end of a line. Exceptions (KEEP): nouns that end in 요 (필요, 중요, 개요, 요약...), and the
rhetorical question "~ㄹ까요?", which 합니다체 textbooks use because it has no 하십시오체 form but the stiff
"~겠습니까?". Fast: reads the stored Korean notebooks and the source files.
"""

import re

import nbformat
import pytest

from tests.test_parity import KO_NOTEBOOKS, LABELS_FILE, ROOT, rel

HAEYO = re.compile(r"[가-힣]*요(?=[.!?…)\]\"'”’]|\s*$)", re.M)  # a word ending in 요 at the end of a sentence
KEEP = re.compile(r"(?:필|중|개|주|수|강|동|소|적)요$|까요$")  # nouns in 요; the rhetorical question ~ㄹ까요


def haeyo_endings(text):
    """The 해요체 sentence endings of `text`, as words."""
    return [m.group(0) for m in HAEYO.finditer(text) if m.group(0) and not KEEP.search(m.group(0))]


def korean_sources():
    """(where, text) for every Korean text a reader meets: the Korean notebooks (cells and figure metadata), the
    Korean chapter pages, the widget words and the glossary's Korean reasons."""
    sources = []
    for path in KO_NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        sources += [(f"{rel(path)} cell {i}", c.source + "\n" + str(c.metadata.get("mystnb", "")))
                    for i, c in enumerate(cells)]
    files = [*sorted((ROOT / "chapters" / "ko").glob("*.md")), LABELS_FILE, ROOT / "chapters" / "glossary.yml"]
    sources += [(rel(p), p.read_text(encoding="utf-8")) for p in files]
    return sources


def test_korean_uses_one_register():
    """No 해요체 sentence ending anywhere in the Korean edition (instructions say ~해 보십시오, statements ~합니다)."""
    found = [f"{where}: {word}" for where, text in korean_sources() for word in haeyo_endings(text)]
    assert not found, "해요체 endings (write 하십시오체: 보세요 -> 보십시오, 마세요 -> 마십시오):\n" + "\n".join(found)


@pytest.mark.parametrize(("text", "found"), [
    ("아래 위젯에서 직접 해 보세요. 성을 입력합니다.", ["보세요"]),
    ("두 기호를 헷갈리지 마세요", ["마세요"]),
    ("이것은 값이에요.", ["값이에요"]),
    ("아래 위젯에서 직접 해 보십시오. 성을 입력합니다.", []),
    ("가중치를 어떻게 나눌까요? 소프트맥스가 필요.", []),
    ("요약: 요소마다 더합니다.", []),
])
def test_register_rule(text, found):
    """haeyo_endings finds 해요체 endings at the end of a sentence and nothing else."""
    assert haeyo_endings(text) == found
