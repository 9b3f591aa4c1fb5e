"""The grammar reads the notation as the page writes it, and rejects what is not TeX it knows."""

from __future__ import annotations

import pytest

from site_build.mathcheck import ast
from site_build.mathcheck.parse import TexSyntaxError, parse_equation, parse_shape


def one(tex: str) -> ast.Statement:
    (statement,) = parse_equation(tex).statements
    return statement


def test_layer_superscripts_are_names_not_powers() -> None:
    st = one(r"z^{(k)} = W^{(k+1)} a^{(L-1)}")
    lhs, rhs = st.members
    assert lhs == ast.Symbol("z", layer=ast.Layer("k", 0))
    assert isinstance(rhs, ast.Product)
    assert rhs.factors == (
        ast.Symbol("W", layer=ast.Layer("k", 1)),
        ast.Symbol("a", layer=ast.Layer("L", -1)),
    )


@pytest.mark.parametrize(
    "tex",
    [r"(W^{(k)})^\top", r"(W^{(k)})^{\top}", r"(W^{(k)})^T", r"\big(W^{(k)}\big)^{\top}"],
)
def test_transpose_spellings_agree(tex: str) -> None:
    (member,) = one(tex).members
    assert member == ast.Group((ast.Symbol("W", layer=ast.Layer("k", 0)),), post=("T",))


def test_layer_and_transpose_in_one_superscript() -> None:
    (member,) = one(r"W^{(k+1)\top}").members
    assert member == ast.Symbol("W", layer=ast.Layer("k", 1), post=("T",))


def test_odot_binds_looser_than_a_product() -> None:
    (_, rhs) = one(r"\delta = W^\top \delta \odot \sigma'(z)").members
    assert isinstance(rhs, ast.Hadamard)
    assert isinstance(rhs.factors[0], ast.Product) and isinstance(rhs.factors[1], ast.Product)


def test_sum_takes_the_product_after_it_and_stops_at_plus() -> None:
    (_, rhs) = one(r"z_i = \sum_{j=1}^{n} W_{ij} a_j + b_i").members
    assert isinstance(rhs, ast.Additive)
    total = rhs.terms[0]
    assert isinstance(total, ast.Sum) and total.index == "j"
    assert total.hi == ast.Symbol("n")


def test_statements_split_at_commas_quads_and_newlines() -> None:
    eq = parse_equation(r"\begin{aligned} a &= b \\ c &= d \end{aligned}, \qquad e = f \tag{F}")
    assert len(eq.statements) == 3 and eq.tag == "F"


def test_derivatives_in_both_spellings() -> None:
    a = one(r"\frac{\partial \ell}{\partial W_{ij}^{(k)}} = 0").members[0]
    b = one(r"\partial\ell/\partial W_{ij}^{(k)} = 0").members[0]
    assert (
        a
        == b
        == ast.Deriv(ast.Symbol("\\ell"), ast.Symbol("W", sub=("i", "j"), layer=ast.Layer("k", 0)))
    )


def test_condition_and_iverson_bracket() -> None:
    st = one(r"\frac{\partial z_i}{\partial W_{lj}} = 0 \ \ (l \ne i)")
    assert st.unequal == ("l", "i")
    (_, rhs) = one(r"J_{ci} = p_c([c = i] - p_i)").members
    assert any(isinstance(n, ast.Iverson) for n in _walk(rhs))


def test_frac_with_single_characters() -> None:
    (member,) = one(r"\frac1N").members
    assert member == ast.Frac(ast.Number(1), ast.Symbol("N"))


def test_shape_cells() -> None:
    assert parse_shape(r"m \times 1") == ast.Shape(ast.Symbol("m"), ast.Number(1))
    assert parse_shape("(m,)") == ast.Shape(ast.Symbol("m"), None)


@pytest.mark.parametrize(
    "tex",
    [
        r"\frac{\partial \ell}{\partial W^{(k)} = \delta",  # a lost brace
        r"\delta^{(k)} = (W^{(k+1)}^\top \delta",  # a lost parenthesis
        r"\delta^{(k)} = W^{(k+1)} \odot",  # a dangling operator
        r"a^{(k)}^{(k)}",  # two layer superscripts
        r"z^{(k)} == W a",
    ],
)
def test_typos_do_not_parse(tex: str) -> None:
    with pytest.raises(TexSyntaxError):
        parse_equation(tex)


def test_numbers_keep_their_decimals() -> None:
    (lhs, rhs) = one(r"0.15 = 2").members
    assert lhs == ast.Number(0.15, 2) and rhs == ast.Number(2)


def test_cdot_is_a_product_and_dfrac_a_fraction() -> None:
    (member,) = one(r"\dfrac{1}{2} \cdot 0.5 \cdot (-0.25)").members
    assert isinstance(member, ast.Product) and len(member.factors) == 3
    assert member.factors[0] == ast.Frac(ast.Number(1), ast.Number(2))


def test_a_row_that_starts_with_a_relation_continues_the_chain() -> None:
    st = one(r"\begin{aligned} a &= b \\ &= c \\ &\approx d \end{aligned}")
    assert len(st.members) == 4 and st.rels == ("=", "=", "approx")


def test_an_update_and_a_matrix() -> None:
    st = one(r"b^{(2)} &\leftarrow \begin{bmatrix} 0.6 - 0.5 & 1 \\ 2 & 3 \end{bmatrix} \\ &= 4")
    assert st.rels == ("assign", "=")
    matrix = st.members[1]
    assert isinstance(matrix, ast.Matrix) and len(matrix.rows) == 2 and len(matrix.rows[0]) == 2


def test_square_brackets_group() -> None:
    (member,) = one(r"\frac{1}{2}\Big[(a - y)^2\Big]").members
    assert isinstance(member, ast.Product) and isinstance(member.factors[1], ast.Group)


def test_layer_and_bare_t_in_one_superscript() -> None:
    (member,) = one(r"a^{(k-1)T}").members
    assert member == ast.Symbol("a", layer=ast.Layer("k", -1), post=("T",))
    with pytest.raises(TexSyntaxError):
        parse_equation(r"a^{(k-1)x}")


def _walk(node: object) -> list[object]:
    from site_build.mathcheck.bind import walk

    return list(walk(node))
