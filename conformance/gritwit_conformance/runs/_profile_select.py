"""``gritwit conform --profile X``: only the protocol tests the chosen profiles need (ADP-006).

The filter (:class:`ProfileFilter`) the plugin registers when the run's plan is limited
to some profiles. The profiles' own folders are chosen by path; the ``protocol`` folder holds
the tests of the adapter protocol for *every* profile (a codec command's envelope, a
store command's arguments …), and of them only those are kept whose declared profiles
(``@pytest.mark.profile``, ADP-006) are ``protocol`` or chosen ones: the handshake and
envelope tests every adapter must pass whatever it claims, and the protocol tests of
the chosen profiles. The rest are deselected, not skipped: they are not part of the run
the user asked for, and the report does not list them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["ProfileFilter", "needed"]

#: The profile every implementation claims (ADP-006); its tests always run.
_ALWAYS = "protocol"
_PROTOCOL_DIR = Path(__file__).resolve().parents[1] / "suite" / "protocol"


def needed(declared: set[str], chosen: set[str]) -> bool:
    """Whether a protocol test declaring ``declared`` belongs to a run of ``chosen``."""
    return declared - {_ALWAYS} <= chosen


class ProfileFilter:
    """Deselects the protocol tests the chosen profiles do not need (a plugin object)."""

    def __init__(self, chosen: tuple[str, ...]) -> None:
        self.chosen = set(chosen)

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            declared = {name for marker in item.iter_markers("profile") for name in marker.args}
            inside = item.path.is_relative_to(_PROTOCOL_DIR)
            (dropped if inside and not needed(declared, self.chosen) else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
