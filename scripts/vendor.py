"""Fetch the site's third-party code (MathJax 4, its font, Mermaid, axe-core) from the npm registry.

For every package in ``vendor.lock`` this runs ``npm pack NAME@VERSION``, checks the tarball's
sha512 against the lock (SRI form ``sha512-<base64>``), and extracts the files the *site* ships
(``KEEP``, plus the license) into ``docs/assets/vendor/<name without scope>/``, and the packages
that build and test *tools* run (``TOOLS``) whole into ``node_modules/<name>/`` (git-ignored).
``docs/assets/vendor/.complete`` is written last; when it already matches the lock and the
extraction rules, and every tool package is in place, the script does nothing.

Standard library only. Exit status 1 with a clear message on a hash mismatch or missing npm.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "vendor.lock"
DEST = ROOT / "docs" / "assets" / "vendor"
TOOLS_DEST = ROOT / "node_modules"
STAMP_NAME = ".complete"

# What the site ships from each package (paths inside the tarball, relative to "package/");
# never Markdown files, whatever the patterns say: MkDocs would turn them into site pages.
KEEP: dict[str, list[str]] = {
    "mathjax": [],  # runs only when the site builds (site_build/finish/typeset.mjs, in Node)
    "@mathjax/mathjax-newcm-font": ["chtml/woff2/*.woff2"],  # the typeset math's CSS uses them
    # The ESM entry imports only the chunks a diagram needs (scripts/render_diagrams.py).
    "mermaid": ["dist/mermaid.esm.min.mjs", "dist/chunks/mermaid.esm.min/*.mjs"],
    "axe-core": [],  # the browser suite's accessibility audit (tests/browser)
}
# Packages unpacked whole (minus Markdown) into node_modules/<name>/ for build and test tools.
TOOLS = ["mathjax", "@mathjax/mathjax-newcm-font", "axe-core"]
ALWAYS_KEEP = ["LICENSE", "LICENSE.*", "LICENCE", "COPYING", "package.json"]


class VendorError(RuntimeError):
    pass


def load_lock() -> list[dict[str, str]]:
    packages = json.loads(LOCK.read_text(encoding="utf-8"))["packages"]
    for pkg in packages:
        if set(pkg) != {"name", "version", "integrity"}:
            raise VendorError(
                f"vendor.lock: each entry needs exactly name, version, integrity: {pkg}"
            )
        if not pkg["integrity"].startswith("sha512-"):
            raise VendorError(f"vendor.lock: {pkg['name']}: integrity must be 'sha512-<base64>'")
        if pkg["name"] not in KEEP:
            raise VendorError(f"vendor.lock: {pkg['name']} has no extraction rule in {__file__}")
    return packages


def fingerprint(packages: list[dict[str, str]]) -> str:
    """What .complete records: the lock's content plus the extraction rules."""
    return json.dumps(
        {"packages": packages, "keep": KEEP, "always": ALWAYS_KEEP, "tools": TOOLS},
        sort_keys=True,
    )


def dest_dir(name: str) -> str:
    return name.rsplit("/", 1)[-1]  # "@mathjax/mathjax-newcm-font" -> "mathjax-newcm-font"


def sri_sha512(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_pack(npm: str, spec: str, workdir: Path) -> Path:
    before = set(workdir.glob("*.tgz"))
    command = [npm, "pack", spec, "--ignore-scripts", "--silent"]
    proc = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise VendorError(f"`npm pack {spec}` failed:\n{proc.stderr.strip()}")
    new = sorted(set(workdir.glob("*.tgz")) - before)
    if len(new) != 1:
        raise VendorError(f"`npm pack {spec}` did not produce exactly one tarball: {new}")
    return new[0]


def _matches(rel: str, pattern: str) -> bool:
    # fnmatch's "*" crosses "/", so match directory depth explicitly.
    return rel.count("/") == pattern.count("/") and fnmatch.fnmatchcase(rel, pattern)


def wanted(rel: str, patterns: list[str]) -> bool:
    return not rel.lower().endswith(".md") and any(_matches(rel, p) for p in ALWAYS_KEEP + patterns)


def _unpack(tarball: Path, out: Path, keep: Callable[[str, str], bool]) -> list[str]:
    """Copy the files that ``keep(top folder, path below it)`` accepts into ``out``; their paths."""
    copied = []
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if not member.isfile() or len(parts) < 2 or ".." in parts or not parts[-1]:
                continue
            rel = "/".join(parts[1:])
            if not keep(parts[0], rel):
                continue
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            with src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            copied.append(rel)
    return copied


def extract_all(tarball: Path, out: Path) -> int:
    """Unpack the whole package (except Markdown files) into `out`, for a tool to run."""
    return len(_unpack(tarball, out, lambda _, rel: not rel.lower().endswith(".md")))


def extract(tarball: Path, name: str, out: Path) -> int:
    patterns = KEEP[name]
    if not patterns:
        return 0
    copied = _unpack(tarball, out, lambda top, rel: top == "package" and wanted(rel, patterns))
    missing = [p for p in patterns if not any(_matches(rel, p) for rel in copied)]
    if missing:
        raise VendorError(f"{name}: the tarball has no file matching {missing}; update KEEP")
    if not any(rel.upper().startswith(("LICEN", "COPYING")) for rel in copied):
        # The font package ships no license text, only the SPDX id in package.json.
        meta = json.loads((out / "package.json").read_text(encoding="utf-8"))
        (out / "LICENSE").write_text(
            f"{name} {meta.get('version')} is distributed under the license "
            f"'{meta.get('license')}' (SPDX identifier from its package.json);\n"
            "the npm tarball ships no separate license text.\n",
            encoding="utf-8",
        )
    return len(copied)


def main() -> int:
    packages = load_lock()
    stamp = DEST / STAMP_NAME
    expected = fingerprint(packages)
    names = {p["name"] for p in packages}
    tools_there = all((TOOLS_DEST / n / "package.json").is_file() for n in TOOLS if n in names)
    if tools_there and stamp.is_file() and stamp.read_text(encoding="utf-8") == expected:
        stamp.touch()  # newer than vendor.lock and this script, so make stops asking
        print(f"vendor: {DEST.relative_to(ROOT)} is up to date with vendor.lock")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            "npm is not installed: it is needed once to fetch MathJax, Mermaid and axe-core "
            "(Debian: apt-get install npm)"
        )
    DEST.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vendor-") as tmp:
        work = Path(tmp)
        staging = work / "vendor"
        tools = work / "node_modules"
        for pkg in packages:
            spec = f"{pkg['name']}@{pkg['version']}"
            tarball = npm_pack(npm, spec, work)
            actual = sri_sha512(tarball)
            if actual != pkg["integrity"]:
                raise VendorError(
                    f"integrity mismatch for {spec}:\n  vendor.lock: {pkg['integrity']}\n"
                    f"  downloaded:  {actual}\nRefusing to use it."
                )
            n = extract(tarball, pkg["name"], staging / dest_dir(pkg["name"]))
            if pkg["name"] in TOOLS:
                n += extract_all(tarball, tools / pkg["name"])
            print(f"vendor: {spec} verified, {n} files")
        if DEST.exists():
            shutil.rmtree(DEST)
        staging.mkdir(exist_ok=True)
        shutil.copytree(staging, DEST)
        for name in TOOLS:
            if (tools / name).is_dir():
                if (TOOLS_DEST / name).exists():
                    shutil.rmtree(TOOLS_DEST / name)
                shutil.copytree(tools / name, TOOLS_DEST / name)
    stamp.write_text(expected, encoding="utf-8")  # last: marks a complete, verified copy
    print(f"vendor: wrote {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except VendorError as exc:
        print(f"vendor.py: error: {exc}", file=sys.stderr)
        sys.exit(1)
