"""The site offers the code (issue 12): the wheel built from src/, linked from the home page
with its `pip install` line, and each notebook as an executed .ipynb and as its .py source.
Also: the build's output says which notebook runs and nothing alarming (no kernel warnings)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from docs_helpers import DOCS, ROOT

import backprop as bp
from site_build import BuildError
from site_build.inputs import downloads, notebooks

NOTEBOOKS = sorted(p.stem for p in (DOCS / "notebooks").glob("[0-9][0-9]_*.py"))


def the_wheel(site: Path) -> Path:
    wheels = list((site / "downloads").glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_is_the_renamed_package(built_site: Path) -> None:
    wheel = the_wheel(built_site)
    assert wheel.name == f"backprop_derivation-{bp.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"backprop_derivation-{bp.__version__}.dist-info/METADATA").decode()
    for module in (ROOT / "src" / "backprop").glob("*.py"):
        assert f"backprop/{module.name}" in names
    assert {"backprop/data/digits.npz", "backprop/data/README.md"} <= names
    assert "\nName: backprop-derivation\n" in meta
    requires = re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
    assert [r for r in requires if "extra ==" not in r] == ["numpy>=2.0"]


def test_the_home_page_links_the_wheel_with_its_pip_line(built_site: Path) -> None:
    page = (built_site / "index.html").read_text("utf-8")
    name = the_wheel(built_site).name
    assert f'href="downloads/{name}"' in page
    blocks = [
        html.unescape(re.sub(r"<[^>]+>", "", b)) for b in re.findall(r"<pre.*?</pre>", page, re.S)
    ]
    assert any(f"pip install {name}" in b for b in blocks), "no `pip install <wheel>` block"
    assert "{{" not in page


def test_the_shipped_wheel_runs_with_numpy_alone(built_site: Path, tmp_path: Path) -> None:
    """Unpacked (a wheel is a zip), the package loads the digits, round-trips a state dict and
    takes an integer seed, from a folder outside the repository."""
    with zipfile.ZipFile(the_wheel(built_site)) as z:
        z.extractall(tmp_path / "wheel")
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path / "wheel")!r})
import numpy as np, backprop as bp
assert bp.__file__.startswith({str(tmp_path / "wheel")!r}), bp.__file__
d = bp.datasets.load_digits()
net = bp.Sequential(bp.Linear(64, 16, rng=0), bp.ReLU(), bp.Linear(16, 10, rng=1))
np.savez("w.npz", **net.state_dict())
other = bp.Sequential(bp.Linear(64, 16, rng=5), bp.ReLU(), bp.Linear(16, 10, rng=6))
other.load_state_dict(np.load("w.npz"))
assert np.array_equal(other.predict(d.X_test), net.predict(d.X_test))
print("ok", len(d.X_train) + len(d.X_test))
"""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok 1797"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_each_notebook_page_links_its_ipynb_and_py(built_site: Path, stem: str) -> None:
    page_dir = built_site / "notebooks" / stem
    page = (page_dir / "index.html").read_text("utf-8")
    # data-search-exclude="" once the build-time typesetter has re-serialised the page
    para = re.search(
        r'<p class="notebook-downloads" data-search-exclude(?:="")?>(.*?)</p>', page, re.S
    )
    assert para, f"{stem}: no download links"
    hrefs = re.findall(r'href="([^"]+)" download', para.group(1))
    assert [Path(h).name for h in hrefs] == [f"{stem}.ipynb", f"{stem}.py"]
    ipynb, py = ((page_dir / h).resolve() for h in hrefs)
    assert py.read_bytes() == (DOCS / "notebooks" / f"{stem}.py").read_bytes()
    nb = nbformat.read(ipynb, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "the .ipynb was not executed"
    assert sum(len(c.outputs) for c in code) >= 1
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_the_build_output_has_no_kernel_warnings(built_site: Path) -> None:
    log = built_site.parent / "mkdocs-build.log"
    if not log.is_file():
        pytest.skip(f"no {log} (SITE_DIR reuses a build made elsewhere)")
    text = log.read_text("utf-8")
    assert "notebook: ran docs/notebooks/" in text or "notebook: reused" in text
    assert "without encryption" not in text and "IPKernelApp" not in text, text[-3000:]
    assert not [line for line in text.splitlines() if line.startswith("WARNING")], text[-3000:]
    # No hidden clock: the theme's end-of-life notice reaches whoever builds the site.
    assert "Material for MkDocs reaches end of life on" in text, text[:3000]


# --- the module itself, without a build ---------------------------------------------------------


def test_download_links_name_each_file_and_what_it_is() -> None:
    assert downloads.notebook_uri("notebooks/02_training.ipynb", ".py") == (
        "downloads/notebooks/02_training.py"
    )
    links = downloads.links_html({".ipynb": "../../d/02.ipynb", ".py": "../../d/02.py"})
    assert '<a href="../../d/02.ipynb" download>02.ipynb</a> (with the outputs shown here)' in links
    assert '<a href="../../d/02.py" download>02.py</a> (a plain Python script)' in links
    assert links.startswith('<p class="notebook-downloads" data-search-exclude>')


def test_links_go_under_the_title_or_fail() -> None:
    out = downloads.add_links("<div><h1>T</h1><p>a</p></div>", "<p>L</p>", "x")
    assert out == "<div><h1>T</h1>\n<p>L</p><p>a</p></div>"
    with pytest.raises(BuildError, match=r"x: no <h1> title"):
        downloads.add_links("<p>no title</p>", "<p>L</p>", "x")


def project(root: Path, extra: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        f'[project]\nname = "probe"\nversion = "1"\n{extra}'
        '[tool.hatch.build.targets.wheel]\npackages = ["probe"]\n',
        "utf-8",
    )
    (root / "probe").mkdir()
    (root / "probe" / "__init__.py").write_text("", "utf-8")
    return root


def test_a_failing_wheel_build_says_so(tmp_path: Path) -> None:
    broken = project(tmp_path / "broken", "dependencies = 5\n")  # not a list: hatchling fails
    with pytest.raises(BuildError, match=r"building the wheel failed \(pip exited [1-9]"):
        downloads.build_wheel(broken, tmp_path / "out")


def test_a_wheel_of_another_name_fails_the_build(tmp_path: Path) -> None:
    """Without requires-python, hatchling names the wheel py2.py3: not the name the page shows."""
    other = project(tmp_path / "other", "")
    with pytest.raises(BuildError, match=r"made \['probe-1-py2\.py3-none-any\.whl'\]"):
        downloads.build_wheel(other, tmp_path / "out")


def test_the_wheel_name_comes_from_pyproject() -> None:
    assert downloads.wheel_name(ROOT) == f"backprop_derivation-{bp.__version__}-py3-none-any.whl"


def test_the_wheel_is_built_again_only_when_its_inputs_change(tmp_path: Path) -> None:
    root = project(tmp_path / "cached", 'requires-python = ">=3.11"\n')
    (root / "src").mkdir()
    for name in ("README.md", "LICENSE"):
        (root / name).write_text(name)
    first = downloads.wheel(root, tmp_path / "out")
    first.write_bytes(b"marker")  # a rebuild would overwrite it
    assert downloads.wheel(root, tmp_path / "out").read_bytes() == b"marker"
    (root / "src" / "m.py").write_text("x = 1\n")
    assert downloads.wheel(root, tmp_path / "out").read_bytes() != b"marker"


def test_a_notebook_runs_over_ipc_without_warnings_and_is_cached(tmp_path: Path) -> None:
    """inputs/notebooks.py runs a notebook: the kernel prints no warning and leaves no socket in
    the working directory; the executed notebook is reused while its key holds."""
    nb_path = tmp_path / "probe.py"
    nb_path.write_text("# %%\nprint(6 * 7)\n", "utf-8")
    code = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from site_build.inputs import notebooks
out = notebooks.cached_run(Path({str(nb_path)!r}), Path({str(tmp_path / "out")!r}))
import nbformat
print(nbformat.read(out, as_version=4).cells[0].outputs[0]["text"].strip())
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "42"
    assert "without encryption" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "probe.py"]
    executed = tmp_path / "out" / "probe.ipynb"
    executed.write_text("kept")  # a second run would overwrite it
    assert notebooks.cached_run(nb_path, tmp_path / "out").read_text() == "kept"
    nb_path.write_text("# %%\nprint(6 * 8)\n", "utf-8")
    assert notebooks.key(nb_path) != (tmp_path / "out" / "probe.ipynb.key").read_text()


def test_a_failing_notebook_cell_names_the_notebook(tmp_path: Path) -> None:
    nb_path = tmp_path / "broken.py"
    nb_path.write_text("# %%\nraise ValueError('planted')\n", "utf-8")
    with pytest.raises(BuildError, match=r"broken\.py: a cell failed:(.|\n)*planted"):
        notebooks.execute(nb_path, tmp_path / "out.ipynb", cwd=tmp_path)
    assert not (tmp_path / "out.ipynb").exists()
