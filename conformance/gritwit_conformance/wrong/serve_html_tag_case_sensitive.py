"""Wrong adapter: HTML is recognised only in lower case (HTTP-006.1).

``<!DOCTYPE HTML>`` and ``<HTML>`` are not HTML to the service: such an answer is not
JSON either, so it is served described, as a blob.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-006.1"}),
    "failed",
    "the HTML tags are matched case-sensitively: <!DOCTYPE HTML> and <HTML> are not HTML",
)


def holds_html(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    rest = text.lstrip("\ufeff\t\n\x0c\r ")
    for tag in ("<!doctype html", "<html"):
        if rest.startswith(tag):  # the bug: letters in lower case only
            return len(rest) > len(tag) and rest[len(tag)] in " \t\n\x0c\r>"
    return False


def install() -> None:
    from gritwit.serve import _sniff

    patch(_sniff, "holds_html", holds_html)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
