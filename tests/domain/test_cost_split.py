"""The host school's cost split: whole kronor that always add up to the total, and amounts as people write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.logistics import COST_MAX_KR, CostProblem, amount_problem, kronor_in_text, parse_kronor, split_cost

schools = st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö ", min_size=1, max_size=12),
    st.integers(min_value=0, max_value=60),
    min_size=1,
    max_size=15,
).filter(lambda d: sum(d.values()) > 0)


@given(total=st.integers(min_value=0, max_value=COST_MAX_KR), participants=schools)
def test_a_split_always_adds_up_and_is_never_negative(total: int, participants: dict[str, int]) -> None:
    split = split_cost(total, participants)
    assert sum(split.values()) == total
    assert set(split) == set(participants)
    people = sum(participants.values())
    for name, share in split.items():
        assert share >= 0
        exact = total * participants[name] / people
        assert exact - 1 < share < exact + 1  # rounding moves no school by a whole krona
        if participants[name] == 0:
            assert share == 0


@given(total=st.integers(min_value=1, max_value=COST_MAX_KR), participants=schools)
def test_a_split_does_not_depend_on_the_order_of_the_schools(total: int, participants: dict[str, int]) -> None:
    backwards = dict(reversed(list(participants.items())))
    assert split_cost(total, participants) == split_cost(total, backwards)


def test_the_remainder_goes_to_the_largest_remainders_then_by_name() -> None:
    assert split_cost(100, {"Umeå": 1, "Skellefteå": 1, "Lycksele": 1}) == {
        "Lycksele": 34,
        "Skellefteå": 33,
        "Umeå": 33,
    }
    assert split_cost(10, {"B": 2, "A": 1}) == {"A": 3, "B": 7}  # 6.67 and 3.33: B's remainder is larger
    assert split_cost(12_000, {"Umeå": 2, "Lycksele": 1, "Skellefteå": 1}) == {
        "Umeå": 6000,
        "Lycksele": 3000,
        "Skellefteå": 3000,
    }


def test_a_split_refuses_what_cannot_be_divided() -> None:
    with pytest.raises(ValueError):
        split_cost(-1, {"A": 1})
    with pytest.raises(ValueError):
        split_cost(100, {"A": 0})
    with pytest.raises(ValueError):
        split_cost(100, {"A": -1, "B": 2})


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12000", 12000),
        ("12 000", 12000),
        ("12\u00a0000 kr", 12000),
        ("12.000 kronor", 12000),
        ("4500:-", 4500),
        ("1200,00", 1200),
        ("-500", -500),
        ("0", 0),
        ("1200,50", None),
        ("tolvtusen", None),
        ("12 000 kr och 5 öre", None),
        ("", None),
    ],
)
def test_amounts_as_people_write_them(text: str, amount: int | None) -> None:
    assert parse_kronor(text) == amount


def test_an_amount_in_a_sentence_needs_its_unit() -> None:
    assert kronor_in_text("kostnaden för träffen 10/9 blev 12 000 kr") == 12000
    assert kronor_in_text("lägg in kostnaden för träffen 10/9") is None


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (None, CostProblem.NOT_A_NUMBER),
        (-1, CostProblem.NEGATIVE),
        (0, CostProblem.ZERO),
        (COST_MAX_KR + 1, CostProblem.TOO_LARGE),
        (1, None),
        (COST_MAX_KR, None),
    ],
)
def test_absurd_amounts(amount: int | None, problem: CostProblem | None) -> None:
    assert amount_problem(amount) == problem
