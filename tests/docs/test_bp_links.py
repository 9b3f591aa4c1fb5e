"""Every BP equation on the derivation page is tied to its code and to a test.

For each `\\tag{BPn}` on docs/derivation.md there must be
* a snippet section `bpn` in src/ that the page pulls in with `--8<-- "...:bpn"`, and
* a test function whose name starts with `test_bpn` somewhere under tests/.
"""

from __future__ import annotations

import ast
import re

import pytest
from docs_helpers import DOCS, ROOT, snippet_refs, src_sections

DERIVATION = DOCS / "derivation.md"
BP_TAG = re.compile(r"\\tag\{\s*(BP\d+)\s*\}")
EXPECTED = {"BP1", "BP2", "BP3", "BP4"}


def bp_ids() -> list[str]:
    return sorted(set(BP_TAG.findall(DERIVATION.read_text("utf-8"))))


def collect_test_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").glob("**/*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name.lower())
    return names


def test_derivation_tags_bp1_to_bp4() -> None:
    assert set(bp_ids()) >= EXPECTED, f"derivation.md tags {bp_ids()}, expected {sorted(EXPECTED)}"


@pytest.mark.parametrize("bp", bp_ids())
def test_equation_has_snippet_and_test(bp: str) -> None:
    section = bp.lower()
    sections = {name for _, name in src_sections()}
    assert section in sections, f"{bp}: no [start:{section}] section in src/"
    used_here = {name for _, name in snippet_refs(DERIVATION)}
    assert section in used_here, f'{bp}: derivation.md has no --8<-- "...:{section}" snippet'
    tests = sorted(n for n in collect_test_names() if n.startswith(f"test_{section}"))
    assert tests, f"{bp}: no test function named test_{section}* under tests/"
