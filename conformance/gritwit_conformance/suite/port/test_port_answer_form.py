"""A request may ask for its response as one blob (PORT-008.3).

``port-answer: blob`` gives the response's content as one blob of the kept headers and
the body, where PORT-008.1 gives a tree; a value other than ``tree`` or ``blob`` is refused
``port-invalid`` before anything is sent.  Every expected value is what the suite sent or
what its world server records: the kept headers are the ones the world answers on
``/echo``, the body its JSON of the request it got.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_type
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")


@pytest.mark.req("PORT-008.3", "PORT-008.1", "PORT-001.2")
def test_a_blob_answer_is_one_blob_of_the_kept_headers_and_the_body(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])]})
        request = rt.request(
            courier,
            f"{world.base}/echo?form=blob",
            method="POST",
            body=b"tea",
            extra={"port-keep": "content-type,x-echo", "port-answer": "blob"},
        )
        answers = rt.answers(courier)
        want = {"mt": "port-response", "port-id": request, "port-status": "200"}
        check_equal("PORT-008.3", [want], [a.headers for a in answers], "the answer's headers")
        blob = check_type(
            "PORT-008.3",
            answers[0].content,
            g.Blob,
            expected="one blob as the content of a response asked for with port-answer: blob",
        )
        check_equal(
            "PORT-008.3",
            {"content-type": "application/json", "x-echo": ""},
            dict(blob.headers),
            "the blob's headers (the kept headers, port-keep)",
        )
        echoed = json.loads(blob.data)
        check_equal(
            "PORT-008.3",
            ("POST", "/echo?form=blob", "tea"),
            (echoed["method"], echoed["path"], echoed["body"]),
            "the blob's data (the body: the world's JSON of what it got)",
        )


@pytest.mark.req("PORT-008.3", "PORT-008.2")
def test_an_answer_form_neither_tree_nor_blob_is_refused_port_invalid(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])]})
        request = rt.request(courier, f"{world.base}/echo", extra={"port-answer": "json"})
        check_equal(
            "PORT-008.3",
            [
                {
                    "mt": "port-failed",
                    "port-id": request,
                    "error": "port-invalid",
                    "clause": "PORT-008.3",
                }
            ],
            [a.headers for a in rt.answers(courier)],
            "what the port party sent for port-answer: json",
        )
        check_equal("PORT-008.3", 0, len(world.hits()), "requests the world got")
