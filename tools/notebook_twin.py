"""Build the Korean twin of an English notebook from its translation file, so the two editions keep the same cells.

    .venv/bin/python tools/notebook_twin.py --refresh [NAME ...] `make notebooks`: rebuild the twins, re-execute the
                                                               stale notebooks of both editions (default: all)
    .venv/bin/python tools/notebook_twin.py NAME [NAME ...]     write notebooks/ko/NAME.ipynb and execute it
    .venv/bin/python tools/notebook_twin.py --no-execute NAME    write it without running it
    .venv/bin/python tools/notebook_twin.py --check [NAME ...]   exit 1 if a twin is out of step (default: all twins)
    .venv/bin/python tools/notebook_twin.py --init NAME          start notebooks/ko/translations/NAME.yml

The twin is the English notebook with each markdown cell replaced by its Korean text, and in code cells the string
literals and comments listed in the translation file replaced; code, cell order, tags and ids stay the English
ones. The translation file (notebooks/ko/translations/NAME.yml) is:

    markdown:                # one entry per markdown cell, found by its exact English text
      - en: |-
          # Visualizing attention
        ko: |-
          # 어텐션 시각화
    strings:                 # text between the quotes of a string literal in code -> Korean (null: keep)
      Keys: 키
      en: ko                 # the language switch, lang='en' -> lang='ko'
    comments:                # a whole comment in code -> Korean (comments not listed stay English)
      '# (num_queries, d)': '# (쿼리 개수, d)'
    metadata:                # figure captions and alt texts (cell metadata mystnb), found by their English text
      - en: The identity matrix as attention weights.
        ko: 어텐션 가중치로 본 단위 행렬.

Sphinx labels are global, so the Korean edition prefixes every label the English notebooks define (figure names,
`:label:`, `:name:`, `(target)=`) with `ko-`: in cell metadata and wherever the label occurs in the Korean markdown
(`attachment:NAME.png` too). Write the English labels in the Korean markdown; the twin gets the prefixed ones.

Because markdown is found by its English text, editing an English cell makes its translation "missing" until the
`en:` text in the file is updated with the Korean: the twin can never silently fall behind the English notebook.
The report shows that edit as a word diff against the stale entry. Every string literal with letters in the code
must be listed under `strings:` (null keeps it English), so a new plot label cannot reach the Korean edition in
English unnoticed. Python 3.12+ tokenizes f-strings into parts; they are joined back into one string literal.

A figure is a markdown `{figure}` whose image is a cell attachment (`attachment:NAME.png`, :name: its label), right
below the code cell that draws it (tagged `remove-output`, its output folded in JupyterLab): JupyterLab renders,
numbers and cross-references only figures in markdown cells (jupyterlab-myst). Each execution copies the PNG that
the code cell drew into the figure cell's attachment, the Korean figure from the Korean cell; `--check` reports an
attachment that is not the PNG its code cell drew. The site reads it through _ext/qkv_attachments.py.

A notebook is stale when the code it ran has changed: its code cells (and tags), the sources of `utils` (widget
JavaScript included) and requirements.txt, hashed into the notebook's metadata (`INPUTS_KEY`) when it is executed;
or when a shown widget's state is not stored (a save from JupyterLab without "Save Widget State"). Execution uses
this checkout's `utils` (PYTHONPATH) and stores the widget state, as `jupyter execute --inplace` does.
"""

import argparse
import base64
import copy
import difflib
import hashlib
import io
import os
import re
import sys
import tokenize
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EN_DIR, KO_DIR = ROOT / "notebooks" / "en", ROOT / "notebooks" / "ko"
TRANSLATIONS = KO_DIR / "translations"
SHARED_TRANSLATION = TRANSLATIONS / "_shared.yml"  # strings and comments of the set-up cell (tools/first_cell.py)
STRING_PARTS = re.compile(r"(?s)^([A-Za-z]*)('''|\"\"\"|'|\")(.*)\2$")  # prefix, quote, content of a literal
LABEL_PREFIX = "ko-"
TEXT_KEYS = ("caption", "alt")  # reader-facing texts in a cell's `mystnb` metadata
LABEL_DEFINITIONS = re.compile(r"^:(?:label|name):\s*(\S+)|^\(([\w-]+)\)=", re.M)  # :label: x, :name: x, (x)=
FIGURE_ATTACHMENT = re.compile(r"^:::\{figure\} attachment:(\S+)$", re.M)  # a figure whose image is an attachment
FSTRING_START, FSTRING_END = (getattr(tokenize, name, name) for name in ("FSTRING_START", "FSTRING_END"))  # 3.12+
INPUTS_KEY = "qkv_inputs"  # notebook metadata: hash of what its stored outputs were computed from
WIDGET_VIEW, WIDGET_STATE = "application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json"


def translation_path(name):
    """notebooks/ko/translations/NAME.yml"""
    return TRANSLATIONS / f"{name}.yml"


def load_translation(name):
    """The translation file of notebook `name` as a dict with keys markdown, strings, comments, metadata; its
    strings and comments extend those of SHARED_TRANSLATION (the code every notebook has)."""
    data = yaml.safe_load(translation_path(name).read_text(encoding="utf-8")) or {}
    shared = yaml.safe_load(SHARED_TRANSLATION.read_text(encoding="utf-8"))
    return {"markdown": data.get("markdown") or [], "metadata": data.get("metadata") or [],
            **{kind: {**shared[kind], **(data.get(kind) or {})} for kind in ("strings", "comments")}}


def english_labels():
    """Every Sphinx label the English notebooks define: figure names in cell metadata, :label:, :name: and (x)=."""
    labels = set()
    for path in EN_DIR.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                labels |= {a or b for a, b in LABEL_DEFINITIONS.findall(cell.source)}
            name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
            labels |= {name} if name else set()
    return labels


def prefix_labels(text, labels):
    """`text` with each English label (as a whole word, hyphens included) prefixed by LABEL_PREFIX."""
    if not labels:
        return text
    pattern = r"(?<![\w-])(" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True))) + r")(?![\w-])"
    return re.sub(pattern, LABEL_PREFIX + r"\1", text)


def translate_metadata(meta, texts, used, missing):
    """Prefix figure names and translate captions and alt texts of a cell's `mystnb` metadata, in place."""
    for key, value in meta.items():
        if isinstance(value, dict):
            translate_metadata(value, texts, used, missing)
        elif key == "name":
            meta[key] = LABEL_PREFIX + value
        elif key in TEXT_KEYS and texts.get(value):
            used.add(("metadata", value))
            meta[key] = texts[value]
        elif key in TEXT_KEYS:
            missing.append(value)


def join_fstrings(tokens, source):
    """`tokens` with each f-string of Python 3.12+ (FSTRING_START … FSTRING_END) joined into one STRING token."""
    offsets = line_offsets(source)
    depth, first = 0, None
    for token in tokens:
        if token.type == FSTRING_START:
            depth, first = depth + 1, first if depth else token
        elif token.type == FSTRING_END and depth:
            depth -= 1
            if not depth:
                (row0, col0), (row1, col1) = first.start, token.end
                text = source[offsets[row0 - 1] + col0:offsets[row1 - 1] + col1]
                yield tokenize.TokenInfo(tokenize.STRING, text, first.start, token.end, first.line)
        elif not depth:  # the parts inside an f-string belong to it, as on Python 3.11
            yield token


def line_offsets(source):
    """Offset in `source` of the start of each line (tokenize's rows count from 1)."""
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def code_tokens(source):
    """(token, start offset, end offset) for each token of `source`, an f-string being one STRING token."""
    offsets = line_offsets(source)
    for token in join_fstrings(tokenize.generate_tokens(io.StringIO(source).readline), source):
        (row0, col0), (row1, col1) = token.start, token.end
        yield token, offsets[row0 - 1] + col0, offsets[row1 - 1] + col1


def literal_content(token):
    """(prefix, quote, text between the quotes) of a STRING token."""
    return STRING_PARTS.match(token.string).groups()


def translate_code(source, strings, comments, used, unlisted):
    """`source` with listed string-literal contents and comments replaced; adds the keys it used to `used` and
    each string literal with letters that `strings` does not list to `unlisted`."""
    edits = []  # (start, end, new text)
    for token, start, end in code_tokens(source):
        new = None
        if token.type == tokenize.STRING:
            prefix, quote, content = literal_content(token)
            if strings.get(content) is not None:
                new, key = f"{prefix}{quote}{strings[content]}{quote}", ("strings", content)
            elif content not in strings and re.search("[A-Za-z]", content):
                unlisted.append(content)
        elif token.type == tokenize.COMMENT and comments.get(token.string) is not None:
            new, key = comments[token.string], ("comments", token.string)
        if new is not None:
            used.add(key)
            edits.append((start, end, new))
    for start, end, new in reversed(edits):
        source = source[:start] + new + source[end:]
    return source


def build_twin(en_nb, translation):
    """(Korean notebook without outputs, list of problems) from an English notebook and its translation."""
    ko_nb = copy.deepcopy(en_nb)
    ko_nb.metadata.pop("widgets", None)  # widget state is stored again when the twin is executed
    ko_nb.metadata.pop(INPUTS_KEY, None)
    markdown = {entry["en"].strip(): entry.get("ko") for entry in translation["markdown"]}
    texts = {entry["en"]: entry.get("ko") for entry in translation["metadata"]}
    labels = english_labels()
    used, missing, missing_texts, unlisted = set(), [], [], []  # missing: (cell index, English markdown)
    for index, cell in enumerate(ko_nb.cells):
        if cell.cell_type == "markdown":
            english = cell.source.strip()
            if markdown.get(english):
                used.add(("markdown", english))
                cell.source = prefix_labels(markdown[english].strip(), labels)
            else:
                missing.append((index, english))
            cell.pop("attachments", None)  # the Korean figures are attached from the Korean outputs
        elif cell.cell_type == "code":
            new_strings = []
            cell.source = translate_code(cell.source, translation["strings"], translation["comments"], used,
                                         new_strings)
            unlisted += [(index, string) for string in dict.fromkeys(new_strings)]
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        translate_metadata(cell.metadata.get("mystnb", {}), texts, used, missing_texts)
    problems, missing_texts = [], [(None, text) for text in missing_texts]
    for kind, entries, gaps in (("markdown", markdown, missing), ("metadata", texts, missing_texts)):
        stale = [english for english in entries if (kind, english) not in used]
        for index, english in gaps:  # an edited English text: show what changed since the stale entry
            nearest = difflib.get_close_matches(english, stale, n=1, cutoff=0.3)
            where = f"cell {index}: no Korean for this English markdown" if kind == "markdown" else "no Korean for"
            change = (f"\n  changed since the stale `en:` entry ([-removed-] {{+added+}}):\n"
                      f"{_indent(word_diff(nearest[0], english))}" if nearest else "")
            problems.append(f"{where}:\n{_indent(english)}{change}")
        problems += [f"{kind} entry used by no cell (stale?):\n{_indent(english)}" for english in stale]
    for kind in ("strings", "comments"):
        problems += [f"{kind} entry {key!r} matches nothing in the code" for key, value in translation[kind].items()
                     if value is not None and (kind, key) not in used]
    problems += [f"cell {index}: new string {string!r} would reach the Korean twin in English: add it under "
                 f"`strings:` with its Korean (null keeps the English)" for index, string in unlisted]
    return ko_nb, problems


def word_diff(old, new, context=4):
    """`new` against `old` word by word: [-removed-] {+added+}; long unchanged runs shortened to `context` words."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = a[i1:i2]
            head = same[:context] if out else []
            tail = same[-context:] if i2 < len(a) or j2 < len(b) else []
            out += same if len(same) <= len(head) + len(tail) + 1 else [*head, "…", *tail]
            continue
        out += [f"[-{' '.join(a[i1:i2])}-]"] if i2 > i1 else []
        out += [f"{{+{' '.join(b[j1:j2])}+}}"] if j2 > j1 else []
    return " ".join(out)


def _indent(text):
    """`text` indented for a report."""
    return "\n".join("    " + line for line in text.strip().splitlines())


def check(name):
    """Problems that keep notebooks/ko/NAME.ipynb from being exactly the twin its translation file describes."""
    ko_path = KO_DIR / f"{name}.ipynb"
    if not translation_path(name).exists():
        return [f"{translation_path(name).relative_to(ROOT)} is missing (see tools/notebook_twin.py --init)"]
    expected, problems = build_twin(nbformat.read(EN_DIR / f"{name}.ipynb", as_version=4), load_translation(name))
    for path in (EN_DIR / f"{name}.ipynb", ko_path):
        problems += [f"{path.relative_to(ROOT)}: {problem} (run `make notebooks`)"
                     for problem in attachment_problems(nbformat.read(path, as_version=4))]
    actual = nbformat.read(ko_path, as_version=4).cells
    if len(actual) != len(expected.cells):
        return [*problems, f"{ko_path.name}: {len(actual)} cells, the twin has {len(expected.cells)}; rebuild it"]
    for index, (want, got) in enumerate(zip(expected.cells, actual, strict=True)):
        if _essentials(want) != _essentials(got):
            problems.append(f"cell {index} of {ko_path.name} differs from the twin built from the translation file; "
                            f"rebuild it (or move the Korean edit into the translation file)")
    return problems


def _essentials(cell):
    """What the translation file decides about a cell: kind, source, tags, figure metadata."""
    return cell.cell_type, cell.source, cell.metadata.get("tags", []), cell.metadata.get("mystnb")


def write(name, execute=True):
    """Write notebooks/ko/NAME.ipynb from the English notebook and the translation file, then execute it."""
    ko_nb, problems = build_twin(nbformat.read(EN_DIR / f"{name}.ipynb", as_version=4), load_translation(name))
    if problems:
        sys.exit(f"{name}: not written\n" + "\n".join(problems))
    path = KO_DIR / f"{name}.ipynb"
    nbformat.write(ko_nb, path)
    if execute:
        run(path)
    print(f"wrote {path.relative_to(ROOT)}" + (" and executed it" if execute else " (not executed: run it)"))


def inputs_hash(nb):
    """sha256 of what the outputs of `nb` are computed from: its code cells and tags, utils' sources, the pins."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(repr((cell.source, cell.metadata.get("tags", []))).encode())
    for path in sorted(p for p in (ROOT / "utils").rglob("*") if p.suffix in (".py", ".js", ".css")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    digest.update((ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()


def stale_reasons(nb):
    """Why the stored outputs of `nb` are stale; empty when they are what its code computes today."""
    reasons = []
    if nb.metadata.get(INPUTS_KEY) != inputs_hash(nb):
        reasons.append("its code, utils (widget JavaScript included) or requirements.txt changed since it was run")
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    if [cell.execution_count for cell in code] != list(range(1, len(code) + 1)):
        reasons.append("it was not run top to bottom in one kernel")
    shown = {out.data[WIDGET_VIEW]["model_id"] for cell in code for out in cell.get("outputs", [])
             if WIDGET_VIEW in out.get("data", {})}
    if not shown <= set(nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})):
        reasons.append("the state of a shown widget is not stored (a JupyterLab save)")
    return reasons


def run(path):
    """Execute notebook `path` in a fresh kernel that imports this checkout's utils; store the outputs, the widget
    state and the inputs hash in the file, as `jupyter execute --inplace` does (plus the hash)."""
    nb = nbformat.read(path, as_version=4)
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "PYTHONPATH": pythonpath})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = join_adjacent_streams(cell.outputs)
    nb.metadata[INPUTS_KEY] = inputs_hash(nb)
    problems = attach_figures(nb)
    nbformat.write(nb, path)
    if problems:
        sys.exit(f"{path.relative_to(ROOT)}:\n" + "\n".join(problems))


def attached_figures(nb):
    """(markdown cell, attachment name, code cell above it) for each `{figure}` whose image is a cell attachment."""
    return [(cell, name, nb.cells[index - 1] if index else None) for index, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" for name in FIGURE_ATTACHMENT.findall(cell.source)]


def drawn_png(cell):
    """The base64 PNG of the one figure a code cell drew, or None."""
    pngs = [out.data["image/png"] for out in (cell or {}).get("outputs", []) if "image/png" in out.get("data", {})]
    return pngs[0] if len(pngs) == 1 else None


def attach_figures(nb):
    """Attach to each `{figure}` cell of `nb` (in place) the PNG that the code cell right above it drew, so that
    JupyterLab shows, numbers and cross-references the figure; return what could not be attached."""
    problems = []
    for cell, name, code in attached_figures(nb):
        png = drawn_png(code) if code is not None and code.cell_type == "code" else None
        if png is None:
            problems.append(f"figure attachment:{name} has no code cell with one PNG output right above it")
        else:
            cell.setdefault("attachments", {})[name] = {"image/png": png}
    return problems


def attachment_problems(nb):
    """Figures of `nb` whose attachment is not the PNG that the code cell right above them drew."""
    problems = []
    for index, (cell, name, code) in enumerate(attached_figures(nb)):
        stored = cell.get("attachments", {}).get(name, {}).get("image/png")
        png = drawn_png(code) if code is not None else None
        if png is None or stored is None or base64.b64decode(stored) != base64.b64decode(png):
            problems.append(f"figure {index + 1} (attachment:{name}) is not the PNG its code cell drew")
    return problems


def join_adjacent_streams(outputs):
    """Outputs with each run of same-name stream outputs joined into one: a busy kernel may deliver one print in
    several messages, and the stored notebook (compared across editions) must not depend on that."""
    joined = []
    for output in outputs:
        last = joined[-1] if joined else None
        if output.output_type == "stream" and last is not None and last.output_type == "stream" \
                and last.name == output.name:
            last.text += output.text
        else:
            joined.append(output)
    return joined


def refresh(names):
    """`make notebooks`: run each stale English notebook, rebuild its Korean twin, run the twin if it is stale."""
    known = sorted(path.stem for path in EN_DIR.glob("*.ipynb"))
    if set(names) - set(known):
        sys.exit(f"no English notebook {sorted(set(names) - set(known))} in notebooks/en; NAME is one of {known}")
    problems = []
    for name in names:
        en_path, ko_path = EN_DIR / f"{name}.ipynb", KO_DIR / f"{name}.ipynb"
        _run_if_stale(en_path)
        if not translation_path(name).exists():
            problems.append(f"{name}: {translation_path(name).relative_to(ROOT)} is missing; start it with "
                            f"`.venv/bin/python tools/notebook_twin.py --init {name}`")
            continue
        ko_nb, twin_problems = build_twin(nbformat.read(en_path, as_version=4), load_translation(name))
        if twin_problems:
            problems += [f"{name}: {problem}" for problem in twin_problems]
            continue
        stored = nbformat.read(ko_path, as_version=4) if ko_path.exists() else None
        if stored is None or list(map(_essentials, stored.cells)) != list(map(_essentials, ko_nb.cells)):
            nbformat.write(ko_nb, ko_path)
            print(f"rebuilt {ko_path.relative_to(ROOT)} from its translation file")
        _run_if_stale(ko_path)
    if problems:
        sys.exit("\n".join(problems) + "\nfix the translation file(s) in notebooks/ko/translations/, then run "
                 "`make notebooks` again")


def _run_if_stale(path):
    """Execute `path` when its stored outputs are stale (else attach its figures if they changed); say which."""
    nb = nbformat.read(path, as_version=4)
    reasons = stale_reasons(nb)
    if not reasons:
        before = copy.deepcopy(nb)
        problems = attach_figures(nb)
        if problems:
            sys.exit(f"{path.relative_to(ROOT)}:\n" + "\n".join(problems))
        if nb != before:
            nbformat.write(nb, path)
        print(f"up to date: {path.relative_to(ROOT)}" + (" (figures attached again)" if nb != before else ""))
        return
    print(f"executing {path.relative_to(ROOT)}: {'; '.join(reasons)}", flush=True)
    run(path)


def init(name):
    """Start a translation file: every markdown cell and every string literal with letters, Korean still empty."""
    path = translation_path(name)
    if path.exists():
        sys.exit(f"{path.relative_to(ROOT)} exists; edit it instead")
    en_nb = nbformat.read(EN_DIR / f"{name}.ipynb", as_version=4)
    strings = {}
    for cell in en_nb.cells:
        if cell.cell_type == "code":
            for token, _, _ in code_tokens(cell.source):
                if token.type == tokenize.STRING and re.search("[A-Za-z]", literal_content(token)[2]):
                    strings.setdefault(literal_content(token)[2], None)
    texts = []
    for cell in en_nb.cells:
        translate_metadata(copy.deepcopy(cell.metadata.get("mystnb", {})), {}, set(), texts)
    data = {"markdown": [{"en": c.source, "ko": None} for c in en_nb.cells if c.cell_type == "markdown"],
            "strings": strings, "comments": {}, "metadata": [{"en": text, "ko": None} for text in texts]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=120),
                    encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}: fill in every ko, and strings to translate (null keeps the English)")


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as YAML block scalars, so markdown stays readable in the translation file."""


_BlockDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, "|" if "\n" in text else None)
)


def main():
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names without .ipynb, e.g. visualizing-attention")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="report twins that are out of step; write nothing")
    group.add_argument("--init", action="store_true", help="start a translation file for each name")
    group.add_argument("--no-execute", action="store_true", help="write the twin without executing it")
    group.add_argument("--refresh", action="store_true",
                       help="rebuild the twins and execute every stale notebook of both editions (make notebooks)")
    args = parser.parse_args()
    if args.refresh:
        return refresh(args.names or sorted(path.stem for path in EN_DIR.glob("*.ipynb")))
    if args.check:
        names = args.names or sorted(p.stem for p in KO_DIR.glob("*.ipynb"))
        problems = [f"{name}: {problem}" for name in names for problem in check(name)]
        fix = "\nfix: edit notebooks/ko/translations/NAME.yml as said above, then run `make notebooks NAME=NAME`"
        print("\n".join(problems) + fix if problems else f"in step: {', '.join(names)}")
        sys.exit(1 if problems else 0)
    if not args.names:
        parser.error("name at least one notebook")
    for name in args.names:
        init(name) if args.init else write(name, execute=not args.no_execute)


if __name__ == "__main__":
    main()
