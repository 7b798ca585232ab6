"""The Wit chapter's names are exact bytes, over every input class: core entry names,
frozen entries, the ``runtime`` header's name and value, ``test-actor``, ``mt``
``update``, update functions, query names and ``mt`` rows (WIT-001, WIT-013.1,
WIT-014.3, WIT-016, WIT-017.3, WIT-028.4).  Cases: :mod:`._wit_texts`.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from ._wit_texts import (
    CLASSES,
    _twin,
    actor_names,
    entry_names,
    frozen_names,
    mt_no_row,
    query_names,
    runtime_key,
    runtime_value,
    update_function,
    update_mt,
)

pytestmark = pytest.mark.profile("wit")


@pytest.mark.req("WIT-001.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_core_entry_names_are_exact_bytes(impl: Implementation, cls: str) -> None:
    entry_names(_twin(impl), cls)


@pytest.mark.req("WIT-016", "WIT-001.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_frozen_entries_are_named_by_exact_bytes(impl: Implementation, cls: str) -> None:
    frozen_names(_twin(impl), cls)


@pytest.mark.req("WIT-001.2", "WIT-012.4", "WIT-007.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_the_runtime_header_name_is_exact_bytes(impl: Implementation, cls: str) -> None:
    runtime_key(_twin(impl), cls)


@pytest.mark.req("WIT-001.3", "WIT-012.4", "WIT-029.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_the_runtime_header_value_is_exact_bytes(impl: Implementation, cls: str) -> None:
    runtime_value(_twin(impl), cls)


@pytest.mark.req("WIT-001.4", "WIT-023.1", "WIT-023.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_a_wit_naming_no_test_actor_is_unknown(impl: Implementation, cls: str) -> None:
    actor_names(_twin(impl), cls)


@pytest.mark.req("WIT-013.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_mt_update_is_an_update(impl: Implementation, cls: str) -> None:
    update_mt(_twin(impl), cls)


@pytest.mark.req("WIT-014.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_an_update_function_is_named_by_exact_bytes(impl: Implementation, cls: str) -> None:
    update_function(_twin(impl), cls)


@pytest.mark.req("WIT-017.3", "ADP-004.11")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_a_query_name_is_exact_bytes(impl: Implementation, cls: str) -> None:
    query_names(_twin(impl), cls)


@pytest.mark.req("WIT-028.4")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_an_mt_naming_no_row_is_read_without_effect(impl: Implementation, cls: str) -> None:
    mt_no_row(_twin(impl), cls)
