"""Every reader: axe-core finds no violation of any impact on any page (light and dark,
desktop and phone), and every page shows its math typeset with JavaScript disabled.

axe-core runs on each page of the session's light and dark visits (conftest.py) after the page
has rendered; the phone checks open the home and derivation pages at 390 x 844.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import (
    AXE_ALLOWED,
    AXE_JS,
    JS_MATH_COLORS,
    JS_MATH_STATE,
    DarkRun,
    Server,
    Visit,
    attach_console,
    contrast_problems,
    describe_violations,
    failing_violations,
    new_context,
    run_axe,
)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_axe_is_there_and_allow_list_is_reasoned() -> None:
    assert AXE_JS.is_file(), f"{AXE_JS} missing: run `make vendor`"
    short = [rule for rule, reason in AXE_ALLOWED.items() if len(reason.split()) < 5]
    assert not short, f"allowed axe rules need a reason: {short}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(
    light_visits: dict[str, Visit], dark_visits: DarkRun, scheme: str, report: dict[str, Any]
) -> None:
    visits = light_visits if scheme == "light" else dark_visits.visits
    assert visits
    bad: list[str] = []
    summary = {}
    for v in visits.values():
        bad += describe_violations(f"{v.path} ({scheme})", failing_violations(v.axe))
        summary[v.path] = {x["id"]: [x["impact"], len(x["nodes"])] for x in v.axe}
    report.setdefault("axe", {})[f"desktop-{scheme}"] = summary
    assert not bad, f"{len(bad)} axe violations:\n" + "\n".join(bad)


def _phone_pages(server: Server) -> list[str]:
    derivation = [u for u in server.pages if u.endswith("/derivation/")]
    assert derivation, "no derivation page in sitemap.xml"
    return [server.pages[0], derivation[0]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_a_phone(
    browser: Any, server: Server, scheme: str, report: dict[str, Any]
) -> None:
    """Home and derivation at 390 x 844. The dark palette comes from the reader's system
    setting (Material's palette follows prefers-color-scheme on a first visit)."""
    context, tap = new_context(browser, color_scheme=scheme, **PHONE)
    bad: list[str] = []
    summary = {}
    try:
        for url in _phone_pages(server):
            rec = tap.fresh()
            page = context.new_page()
            attach_console(page, tap)
            page.goto(url, wait_until="load")
            want = "slate" if scheme == "dark" else "default"
            got = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            assert got == want, f"{url}: palette {got!r}, expected {want!r}"
            violations = run_axe(page)
            path = server.path_of(url)
            summary[path] = {x["id"]: [x["impact"], len(x["nodes"])] for x in violations}
            bad += describe_violations(f"{path} (phone, {scheme})", failing_violations(violations))
            bad += [f"{path}: console: {m}" for m in rec.console_errors + rec.page_errors]
            page.close()
    finally:
        context.close()
    report.setdefault("axe", {})[f"phone-{scheme}"] = summary
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_math_is_typeset_without_javascript(browser: Any, server: Server, scheme: str) -> None:
    """JavaScript off: every page shows all its formulas typeset, drawn in MathJax's font,
    legible, and no raw TeX. Without JavaScript Material cannot switch palettes, so the dark
    check sets the scheme attribute that its palette switch would set (CSS only)."""
    context, tap = new_context(browser, java_script_enabled=False)
    bad: list[str] = []
    checked = 0
    try:
        for url in server.pages:
            tap.fresh()
            page = context.new_page()
            page.goto(url, wait_until="load")
            if scheme == "dark":
                page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
            page.evaluate("document.fonts.ready.then(() => true)")
            path = server.path_of(url)
            expected = server.sources[url].expected_formulas
            m = page.evaluate(JS_MATH_STATE)
            if m["outer"] != expected:
                bad.append(f"{path}: {m['outer']} typeset formulas, source has {expected}")
            bad += [f"{path}: untypeset: {t!r}" for t in m["untypeset"]]
            bad += [f"{path}: MathJax error: {t!r}" for t in m["errors"]]
            bad += [f"{path}: not in MathJax's font: {t!r}" for t in m["unstyled"][:5]]
            bad += [f"{path}: raw TeX: {t!r}" for t in m["raw"][:5]]
            bad += [f"{path}: {p}" for p in contrast_problems(page.evaluate(JS_MATH_COLORS), [])]
            checked += m["outer"]
            page.close()
    finally:
        context.close()
    assert checked > 0, "no formula on any page"
    assert not bad, "\n".join(bad)
