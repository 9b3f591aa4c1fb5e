"""hooks/nbconvert_templates.py: nbconvert's environments share compiled templates, safely."""

from __future__ import annotations

import re

import jinja2
import pytest
from docs_helpers import DOCS, import_hook

nt = import_hook("nbconvert_templates")


def _env(templates: dict[str, str], **options: object) -> jinja2.Environment:
    return nt.share_bytecode(jinja2.Environment(loader=jinja2.DictLoader(templates), **options))


def test_a_template_is_compiled_once_for_every_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nt, "_caches", {})
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, *args: object, **kw: object) -> object:
        compiled.append(source)
        return compile_(self, source, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    for _ in range(3):
        assert _env({"t": "x = {{ x }}"}).get_template("t").render(x=1) == "x = 1"
    assert compiled == ["x = {{ x }}"]


def test_an_edited_template_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nt, "_caches", {})
    assert _env({"t": "old {{ x }}"}).get_template("t").render(x=1) == "old 1"
    assert _env({"t": "new {{ x }}"}).get_template("t").render(x=1) == "new 1"


def test_environments_with_other_compile_options_share_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nt, "_caches", {})
    source = {"t": "{% if x %}\nyes{% endif %}"}
    assert _env(source).get_template("t").render(x=1) == "\nyes"
    assert _env(source, trim_blocks=True).get_template("t").render(x=1) == "yes"
    assert len(nt._caches) == 2


def test_a_notebook_page_is_the_same_with_shared_templates() -> None:
    from mkdocs_jupyter import nbconvert2

    notebook = str(DOCS / "notebooks" / "06_autograd.py")

    def page() -> str:  # cell ids are drawn afresh each time jupytext reads the notebook
        return re.sub(r"cell-id=[0-9a-f]+", "", nbconvert2.nb2html(notebook))

    plain = page()
    nt.install()
    nt.install()  # a second build of `mkdocs serve` installs nothing more
    assert page() == plain
    assert page() == plain  # now from the cache
    assert any(cache.code for cache in nt._caches.values())
