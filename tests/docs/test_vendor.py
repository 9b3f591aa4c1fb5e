"""scripts/vendor.py and vendor.lock, without the network: a fake `npm pack` makes a tarball."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from docs_helpers import ROOT


def load_vendor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor", ROOT / "scripts" / "vendor.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lock_has_names_versions_and_sha512_only() -> None:
    text = (ROOT / "vendor.lock").read_text("utf-8")
    assert not re.search(r"https?:|//|\.(com|org|net|io)\b", text), "no URLs or hosts in the lock"
    packages = json.loads(text)["packages"]
    names = {p["name"] for p in packages}
    assert names == {"mathjax", "@mathjax/mathjax-newcm-font", "mermaid", "axe-core"}
    for p in packages:
        assert set(p) == {"name", "version", "integrity"}
        assert re.fullmatch(r"\d+\.\d+\.\d+", p["version"])
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", p["integrity"])
    majors = {p["name"]: int(p["version"].split(".")[0]) for p in packages}
    assert majors["mathjax"] == 4 and majors["mermaid"] == 11 and majors["axe-core"] == 4


def fake_tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_vendor()
    tarballs = {
        "mathjax": {
            "LICENSE": b"license text",
            "package.json": b'{"version": "4.0.0", "license": "Apache-2.0"}',
            "README.md": b"# would become a site page",
            "node-main.mjs": b"// node entry",
            "input/tex/extensions/ams.js": b"//",
        },
        "@mathjax/mathjax-newcm-font": {
            "package.json": b'{"version": "4.0.0", "license": "OFL-1.1"}',
            "chtml.js": b"// font data for MathJax in Node",
            "chtml/woff2/mjx-ncm-n.woff2": b"woff2",
            "docs/notes.md": b"# nor this one",
        },
    }
    entries, files = [], {}
    for name, content in tarballs.items():
        tarball = fake_tarball(tmp_path / f"{name.replace('/', '-')}-4.0.0.tgz", content)
        files[f"{name}@4.0.0"] = tarball
        entries.append({"name": name, "version": "4.0.0", "integrity": module.sri_sha512(tarball)})
    lock = tmp_path / "vendor.lock"
    lock.write_text(json.dumps({"packages": entries}))
    monkeypatch.setattr(module, "LOCK", lock)
    monkeypatch.setattr(module, "DEST", tmp_path / "out" / "vendor")
    monkeypatch.setattr(module, "TOOLS_DEST", tmp_path / "node_modules")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module.shutil, "which", lambda _: "/usr/bin/npm")
    monkeypatch.setattr(module, "npm_pack", lambda npm, spec, work: files[spec])
    return module


def test_site_gets_only_the_font_and_tools_get_whole_packages(vendor: ModuleType) -> None:
    assert vendor.main() == 0
    font = vendor.DEST / "mathjax-newcm-font"
    assert (font / "chtml/woff2/mjx-ncm-n.woff2").is_file()
    assert not (font / "chtml.js").exists(), "the site ships no MathJax JavaScript"
    assert "OFL-1.1" in (font / "LICENSE").read_text(), "a license note goes with the font"
    assert not (vendor.DEST / "mathjax").exists(), "MathJax runs at build time only"
    assert not list(vendor.DEST.glob("**/*.md")), "loose .md files would become site pages"
    tools = vendor.TOOLS_DEST
    assert (tools / "mathjax/node-main.mjs").is_file()
    assert (tools / "mathjax/input/tex/extensions/ams.js").is_file()
    assert (tools / "@mathjax/mathjax-newcm-font/chtml.js").is_file()
    assert not list(tools.glob("**/*.md"))
    stamp = vendor.DEST / ".complete"
    assert stamp.is_file()
    (font / "chtml/woff2/mjx-ncm-n.woff2").unlink()
    assert vendor.main() == 0  # the stamp matches the lock: nothing is fetched again
    assert not (font / "chtml/woff2/mjx-ncm-n.woff2").exists()
    shutil.rmtree(tools / "mathjax")
    assert vendor.main() == 0  # a tool package went missing: fetched again
    assert (tools / "mathjax/node-main.mjs").is_file()


def test_hash_mismatch_is_refused(vendor: ModuleType) -> None:
    lock = json.loads(vendor.LOCK.read_text())
    lock["packages"][0]["integrity"] = "sha512-" + "A" * 86 + "=="
    vendor.LOCK.write_text(json.dumps(lock))
    with pytest.raises(vendor.VendorError, match="integrity mismatch"):
        vendor.main()
    assert not (vendor.DEST / ".complete").exists()


def test_missing_npm_is_a_clear_error(vendor: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vendor.shutil, "which", lambda _: None)
    with pytest.raises(vendor.VendorError, match="npm is not installed"):
        vendor.main()
