"""The Wit chapter's decimals and text-form ids over every input class and both sides of
their limits: ASCII digits only, at most 18 of them, exactly 64 lowercase hex digits
(WIT-028.6, WIT-020.2, WIT-025, WIT-026.1, WIT-021.1).  Cases:
:mod:`._wit_texts`.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from ._wit_numbers import DECIMAL_DATA, LIMIT_DATA, decimals, text_form_ids
from ._wit_texts import CLASSES, _twin

pytestmark = pytest.mark.profile("wit")


@pytest.mark.req("WIT-028.6", "WIT-020.2", "WIT-025.2", "WIT-025.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_ascii_digits_are_a_decimal(impl: Implementation, cls: str) -> None:
    decimals(_twin(impl), DECIMAL_DATA[cls])


@pytest.mark.req("WIT-028.6", "WIT-020.2", "WIT-025.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_a_decimal_has_at_most_18_digits(impl: Implementation) -> None:
    decimals(_twin(impl), LIMIT_DATA)


@pytest.mark.req("WIT-028.6", "WIT-026.1", "WIT-021.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_64_lowercase_hex_digits_name_an_actor(impl: Implementation, cls: str) -> None:
    text_form_ids(_twin(impl), cls)


@pytest.mark.req("WIT-028.6", "WIT-026.1", "WIT-021.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_a_text_form_id_has_exactly_64_digits(impl: Implementation) -> None:
    text_form_ids(_twin(impl), None)
