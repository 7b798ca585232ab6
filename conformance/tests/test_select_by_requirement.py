"""The selection plugin of the cut whole runs (``_select_by_requirement``): a wrong
adapter's IDs, an ID kept to one module (``ID@module``), and a profile cut to the tests
citing some IDs while the other profiles run whole."""

from __future__ import annotations

from pathlib import Path

from _select_by_requirement import _profile, wanted
from hypothesis import given
from hypothesis import strategies as st

_IDS = st.sampled_from(["ADP-015", "ADP-021", "ADP-021.1", "RUN-012.3", "HTTP-013.3"])


def _keep(name: str, module: str, profile: str, cited: set[str], select: str = "",
          in_profile: str = "") -> bool:  # fmt: skip
    return wanted(name, module, profile, cited, select, in_profile)


def test_an_id_keeps_the_tests_citing_it_and_the_handshake() -> None:
    assert _keep("test_a", "test_x", "runtime", {"ADP-015"}, "ADP-015")
    assert not _keep("test_a", "test_x", "runtime", {"RUN-012.3"}, "ADP-015")
    assert _keep("test_handshake", "test_hello", "protocol", set(), "ADP-015")


def test_an_id_at_a_module_keeps_that_modules_tests_citing_it_only() -> None:
    token = "ADP-015@test_rt_open_seconds"
    assert _keep("test_s", "test_rt_open_seconds", "runtime", {"ADP-015", "RUN-012.3"}, token)
    assert not _keep("test_s", "test_runtime_machine", "runtime", {"ADP-015"}, token)
    assert not _keep("test_s", "test_rt_open_seconds", "runtime", {"RUN-012.3"}, token)


def test_a_cut_profile_keeps_its_tests_citing_its_ids_and_every_other_profile() -> None:
    cut = "http=ADP-021,ADP-021.1"
    assert _keep("test_p", "test_probes", "http", {"ADP-021.1", "HTTP-001.1"}, in_profile=cut)
    assert not _keep("test_h", "test_hostile", "http", {"HTTP-013.3"}, in_profile=cut)
    assert _keep("test_c", "test_codec", "codec", {"ENC-001"}, in_profile=cut)


@given(cited=st.sets(_IDS), chosen=st.sets(_IDS))
def test_nothing_chosen_keeps_everything_and_a_choice_keeps_exactly_its_citers(
    cited: set[str], chosen: set[str]
) -> None:
    assert _keep("test_t", "test_m", "runtime", cited)
    select = " ".join(sorted(chosen))
    assert _keep("test_t", "test_m", "runtime", cited, select) == bool(cited & chosen or not chosen)
    cut = "runtime=" + ",".join(sorted(chosen))
    assert _keep("test_t", "test_m", "runtime", cited, in_profile=cut) == bool(cited & chosen)


def test_a_tests_profile_is_its_suite_folder() -> None:
    suite = Path("/x/gritwit_conformance/suite")
    assert _profile(suite / "http" / "test_probes.py") == "http"
    assert _profile(suite / "sandbox" / "deep" / "test_y.py") == "sandbox"
    assert _profile(Path("/x/tests/test_z.py")) == ""
