"""The browser suite's own arithmetic: formula counting, source parsing, contrast, hosts.

These need no browser. If they were wrong, the page checks could pass on a broken page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import (
    contrast_problems,
    contrast_ratio,
    count_tex,
    is_loopback,
    notebook_formulas,
    parse_page_source,
)


@pytest.mark.parametrize(
    ("text", "dollars", "expected"),
    [
        (r"\(a\)", False, 1),
        (r"\[ x^2 \]", False, 1),
        (r"\(a\) and \(b\)", False, 2),
        ("$$\\sum_i a_i$$", False, 1),
        ("$x$ and $y$", False, 0),  # arithmatex output never uses single dollars
        ("$x$ and $y$", True, 2),
        ("costs \\$5 and \\$6", True, 0),  # escaped dollars are text
        ("$$a$$ then $b$", True, 2),
        ("\\begin{aligned} a &= b \\end{aligned}", False, 1),
        ("no math here", True, 0),
        ("$$", True, 0),  # an unclosed delimiter is not a formula
    ],
)
def test_count_tex(text: str, dollars: bool, expected: int) -> None:
    assert count_tex(text, dollars=dollars) == expected


def test_parse_page_source_counts_only_the_article() -> None:
    html = """
    <nav><span class="arithmatex">\\(nav\\)</span></nav>
    <article class="md-content__inner md-typeset">
      <p>Text <span class="arithmatex">\\(a\\)</span></p>
      <div class="arithmatex">\\[b\\]</div>
      <div class="jp-RenderedMarkdown jp-MarkdownOutput"><p>$x$ and $$y$$
        <code>$not math$</code></p><pre>$nor this$</pre></div>
      <pre class="mermaid-diagram"><code>graph LR; A--&gt;B</code></pre>
      <img src="../assets/forward.svg" alt="">
    </article>
    """
    src = parse_page_source(html)
    assert src.arithmatex == ["\\(a\\)", "\\[b\\]"]
    assert src.expected_formulas == 2  # a notebook's formulas are counted in its source
    src.notebook_formulas = 3
    assert src.expected_formulas == 5
    assert src.mermaid_blocks == ["graph LR; A-->B"]
    assert src.images == ["../assets/forward.svg"]


NOTEBOOK = """# %% [markdown]
# # Title with $x$
# Inline $a$ and display
# $$\\sum_i b_i$$
# but not `$code$`, and not in a fence:
# ```python
# y = "$dollars$"
# ```

# %%
z = "$not markdown$"

# %% [markdown]
# Costs \\$5, then $c^{(k)}$.
"""


def test_notebook_formulas_counts_markdown_cells_only(tmp_path: Path) -> None:
    source = tmp_path / "nb.py"
    source.write_text(NOTEBOOK, encoding="utf-8")
    assert notebook_formulas(source) == 4


def test_contrast_ratio_extremes() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((120, 120, 120), (120, 120, 120)) == pytest.approx(1.0)


def test_contrast_problems_flags_faint_and_visible_invisible_labels() -> None:
    white, black, grey = [255, 255, 255, 1], [0, 0, 0, 1], [200, 200, 200, 1]
    diagrams = [
        {
            "items": [
                {"text": "ok", "fg": black, "bg": white, "invisible": False, "kind": "node"},
                {"text": "faint", "fg": grey, "bg": white, "invisible": False, "kind": "edge"},
                {"text": "X", "fg": white, "bg": black, "invisible": True, "kind": "node"},
                {"text": "Y", "fg": white, "bg": white, "invisible": True, "kind": "node"},
            ]
        }
    ]
    math = [{"text": "a", "fg": grey, "bg": white}, {"text": "b", "fg": black, "bg": white}]
    problems = contrast_problems(math, diagrams)
    assert len(problems) == 3, problems
    assert any("'faint'" in p for p in problems)
    assert any("'X'" in p and "invisible" in p for p in problems)
    assert any("formula 'a'" in p for p in problems)


def test_is_loopback() -> None:
    assert is_loopback("http://127.0.0.1:8000/x.js")
    assert is_loopback("http://localhost/x")
    assert is_loopback("data:image/png;base64,AAAA")
    assert not is_loopback("https://example.org/mathjax.js")
    assert not is_loopback("http://127.0.0.1.example.org/")
