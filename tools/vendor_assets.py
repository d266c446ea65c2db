"""Vendor the browser assets the static site serves itself (`make assets`): pinned npm packages + anywidget's module.

Writes assets/vendor/<name>/... (only the files a page loads, plus each package's licence), assets/vendor/README.md
and assets/vendor/SHA256SUMS (`cd assets/vendor && sha256sum -c SHA256SUMS`). Needs `npm` and the project's venv.
"""

import base64
import fnmatch
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "assets" / "vendor"

MIT_TEXT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

# npm spec -> (folder under vendor/, tarball integrity, {path or *-pattern in the package: path under the folder,
# a folder ending in / for a pattern}). Bump a version here, then run `make assets`.
NPM = {
    "requirejs@2.3.8": (
        "requirejs",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        {"require.js": "require.js"},
    ),
    "@jupyter-widgets/html-manager@1.0.15": (
        "html-manager",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        # embed-amd.js defines @jupyter-widgets/{base,controls,html-manager}; the woff2 files are Font Awesome
        # (widget icons), which its CSS loads from the folder require.js maps its modules to (widgets-offline.js).
        # Only woff2: the @font-face rules list it first, and every current browser takes it.
        {"dist/embed-amd.js": "embed-amd.js", "dist/embed.js.LICENSE.txt": "THIRD-PARTY-NOTICES.txt",
         "dist/*.woff2": ""},
    ),
    "mathjax@3.2.2": (
        "mathjax",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        # one combined component with every TeX extension (nothing autoloads) + the CommonHTML fonts it finds
        # at [mathjax]/output/chtml/fonts/woff-v2, [mathjax] being this script's folder.
        {
            "LICENSE": "LICENSE",
            "es5/tex-chtml-full.js": "tex-chtml-full.js",
            "es5/output/chtml/fonts/woff-v2/*.woff": "output/chtml/fonts/woff-v2/",
        },
    ),
}


def npm_pack(spec: str, integrity: str, workdir: Path) -> tarfile.TarFile:
    """Download one npm tarball with `npm pack` and check it against its pinned integrity."""
    out = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(workdir), "--silent"],
        check=True, capture_output=True, text=True,
    ).stdout.split()[-1]
    data = (workdir / out).read_bytes()
    algo, digest = integrity.split("-", 1)
    if base64.b64encode(hashlib.new(algo, data).digest()).decode() != digest:
        sys.exit(f"{spec}: tarball integrity differs from the pinned {integrity}")
    return tarfile.open(fileobj=io.BytesIO(data))


def extract(tar: tarfile.TarFile, files: dict[str, str], dest: Path) -> None:
    """Copy the wanted members of an npm tarball (rooted at package/) into dest."""
    members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
    for src, target in files.items():
        if "*" in src:  # a pattern: the matching files of that one folder
            folder = src.rsplit("/", 1)[0] + "/"
            pairs = [(n, target + n.removeprefix(folder)) for n in members
                     if fnmatch.fnmatch(n, src) and "/" not in n.removeprefix(folder)]
        else:
            pairs = [(src, target)]
        if not pairs:
            sys.exit(f"nothing matched {src!r}")
        for name, rel in pairs:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(tar.extractfile(members[name]).read())


def wheel_licence(dist: str) -> Path:
    """The LICENSE file of an installed (pinned) wheel."""
    found = [f for f in importlib.metadata.distribution(dist).files if f.name == "LICENSE" and ".dist-info" in str(f)]
    if not found:
        sys.exit(f"{dist}: no LICENSE in the installed wheel")
    return Path(found[0].locate())


def main() -> None:
    """Rebuild assets/vendor from scratch and write its README.md and SHA256SUMS."""
    if not shutil.which("npm"):
        sys.exit("npm is needed to vendor the browser assets")
    shutil.rmtree(VENDOR, ignore_errors=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, (folder, integrity, files) in NPM.items():
            tar = npm_pack(spec, integrity, Path(tmp))
            extract(tar, files, VENDOR / folder)
            rows.append((folder, spec, json.load(tar.extractfile("package/package.json"))["license"], "npm registry"))
    # requirejs ships no licence file: its header names the MIT licence.
    header = (VENDOR / "requirejs" / "require.js").read_text().splitlines()[1].strip(" *")
    (VENDOR / "requirejs" / "LICENSE").write_text(f"{header}\n\nMIT License\n\n{MIT_TEXT}")
    # html-manager ships no licence file: it is part of the ipywidgets repository, whose wheel carries the licence.
    shutil.copy(wheel_licence("ipywidgets"), VENDOR / "html-manager" / "LICENSE")
    version = importlib.metadata.version("anywidget")
    (VENDOR / "anywidget").mkdir()
    shutil.copy(Path(importlib.util.find_spec("anywidget").origin).parent / "nbextension" / "index.js",
                VENDOR / "anywidget" / "index.js")
    shutil.copy(wheel_licence("anywidget"), VENDOR / "anywidget" / "LICENSE")
    licence = importlib.metadata.metadata("anywidget")["License-Expression"]
    rows.append(("anywidget", f"anywidget@{version}", licence, "the installed wheel's anywidget/nbextension/index.js"))

    table = "\n".join(f"| `{folder}/` | `{spec}` | {licence} | {source} |" for folder, spec, licence, source in rows)
    (VENDOR / "README.md").write_text(
        "# Vendored browser assets (generated by tools/vendor_assets.py: do not edit)\n\n"
        "The static site serves these itself, so it requests nothing from another host.\n\n"
        f"| folder | package | licence (see the folder's LICENSE) | from |\n|---|---|---|---|\n{table}\n"
    )
    files = sorted(p for p in VENDOR.rglob("*") if p.is_file())
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(VENDOR).as_posix()}\n" for p in files)
    (VENDOR / "SHA256SUMS").write_text(sums)
    total = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files ({total / 1e6:.2f} MB) and SHA256SUMS under {VENDOR}")


if __name__ == "__main__":
    main()
