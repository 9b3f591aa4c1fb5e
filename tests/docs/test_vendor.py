"""scripts/vendor.py and vendor.lock, without the network: a fake `npm pack` makes a tarball."""

from __future__ import annotations

import importlib.util
import io
import json
import re
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
    assert {p["name"] for p in packages} == {"mathjax", "@mathjax/mathjax-newcm-font", "mermaid"}
    for p in packages:
        assert set(p) == {"name", "version", "integrity"}
        assert re.fullmatch(r"\d+\.\d+\.\d+", p["version"])
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", p["integrity"])
    majors = {p["name"]: int(p["version"].split(".")[0]) for p in packages}
    assert majors["mathjax"] == 4 and majors["mermaid"] == 11


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
    files = {
        "LICENSE": b"license text",
        "package.json": b'{"version": "4.0.0", "license": "Apache-2.0"}',
        "README.md": b"# would become a site page",
        "startup.js": b"// startup",
        "core.js": b"// core",
        "input/tex.js": b"//",
        "input/tex/extensions/ams.js": b"//",
        "output/chtml.js": b"//",
        "a11y/assistive-mml.js": b"//",
        "docs/notes.md": b"# nor this one",
        "tex-svg.js": b"// not needed",
    }
    tarball = fake_tarball(tmp_path / "mathjax-4.0.0.tgz", files)
    lock = tmp_path / "vendor.lock"
    integrity = module.sri_sha512(tarball)
    entry = {"name": "mathjax", "version": "4.0.0", "integrity": integrity}
    lock.write_text(json.dumps({"packages": [entry]}))
    monkeypatch.setattr(module, "LOCK", lock)
    monkeypatch.setattr(module, "DEST", tmp_path / "out" / "vendor")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module.shutil, "which", lambda _: "/usr/bin/npm")
    monkeypatch.setattr(module, "npm_pack", lambda npm, spec, work: tarball)
    return module


def test_extracts_only_what_is_needed_and_is_idempotent(vendor: ModuleType) -> None:
    assert vendor.main() == 0
    out = vendor.DEST / "mathjax"
    assert (out / "LICENSE").read_text() == "license text"
    assert (out / "input/tex/extensions/ams.js").is_file()
    assert not list(vendor.DEST.glob("**/*.md")), "loose .md files would become site pages"
    assert not (out / "tex-svg.js").exists()
    stamp = vendor.DEST / ".complete"
    assert stamp.is_file()
    (out / "core.js").unlink()
    assert vendor.main() == 0  # the stamp matches the lock: nothing is fetched again
    assert not (out / "core.js").exists()


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
