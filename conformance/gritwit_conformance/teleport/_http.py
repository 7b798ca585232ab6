"""The teleport scenarios between two HTTP services (RUN-009.7, HTTP-010).

A service (``gritwit serve --store STORE``, spec/10-http.md) is one runtime over its store that
runs on its own clock: a message sent to it is read when the service gets to it, not
when a caller asks for a run.  :class:`HttpService` speaks to one service as the
adapter's runtime commands would (``rt-genesis`` is ``POST /v1/actors``, ``rt-send``
``POST /v1/actors/{a}/messages``, ``rt-run`` ``POST /v1/settle``, ``rt-export`` and
``rt-import`` the bundle endpoints, …) and :class:`HttpLeg` sets it beside the
reference's runtime, as :class:`~._mirror.Leg` sets an adapter.

What HTTP cannot express is refused with :class:`NotOverHttp`, never faked:

* a run that leaves messages pending (``max_steps`` below what drains them): a
  service has no bound on its steps, it goes on until it is quiescent;
* a second message sent while one is still pending: a service reads what has
  arrived when it gets to the actor, the reference's rounds what is pending at the
  run, so one may read two messages in one step where the other takes two (a genesis
  transition reads the messages behind the genesis too, WIT-012: a genesis counts),
  and the step ids would differ for no fault of either;
* an export while a sent message is pending: the service has read it already;
* a send with headers other than ``mt`` (HTTP-005.1).

An ``rt-run`` is answered by a settle (HTTP-011.1) and compared in what a settle lets
one observe: quiescence, each actor's head against the last step the reference's run
gave it (the step ids), and which actors carry a failed mark.  ``rt-verify``, which
has no endpoint, verifies the bundle the service exports (HTTP-010.1) in a scratch
runtime of the reference: the history it checks is the service's own bytes.

:func:`over_http_reason` decides from a dry run against the reference, with the same
rules, whether a scenario can run between services; :func:`check_over_http` runs it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx

import gritwit as g

from ..harness._implementation import Implementation
from ..harness._messages import Response
from ._check import Outcome, run_legs
from ._mirror import Divergence, Leg, SuiteBug, answer
from ._scenarios import Scenario

__all__ = ["HttpLeg", "HttpService", "NotOverHttp", "check_over_http", "over_http_reason"]

Json = dict[str, Any]
#: The seconds a settle may wait (HTTP-011: at most 600): a sandboxed actor's first
#: step may compile the interpreter on a loaded machine.
SETTLE_TIMEOUT: Final = 300.0
_BUNDLE: Final = "application/vnd.gritwit.bundle"


class NotOverHttp(Exception):
    """What a scenario does has no form over HTTP; ``reason`` says what, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HttpService:
    """One service at ``url``, answering the adapter's runtime commands (ADP-015) over HTTP.

    It has the face :func:`~._mirror.answer` and :class:`~._mirror.Leg` use of an
    :class:`~gritwit_conformance.harness.Implementation` (``call``, ``last_request``,
    ``last_response``, ``close``).  A service is one runtime: ``rt-open`` answers it
    once, whatever the ``path`` (the service has its store).  ``verifier`` is the
    reference, which verifies the service's bundles for ``rt-verify``.
    """

    can_kill = False

    def __init__(self, url: str, *, verifier: Implementation, timeout: float = 330.0) -> None:
        self.url, self.verifier = url, verifier
        self.label = f"service at {url}"
        self.client = httpx.Client(base_url=url, timeout=timeout, trust_env=False)
        self.last_request: Json | None = None
        self.last_response: Response | None = None
        self._opened = False
        self._seq = 0

    def call(self, cmd: str, **args: Any) -> Response:
        """``cmd`` as its endpoint; the answer in the adapter's form (ADP-003)."""
        self._seq += 1
        self.last_request = {"cmd": cmd, **args}
        handler = getattr(self, "_" + cmd.replace("-", "_"), None)
        if handler is None:
            raise NotOverHttp(f"{cmd} has no endpoint in spec/10-http.md")
        outcome = handler(args)
        if isinstance(outcome, httpx.Response):
            reply = self._failure(cmd, args, outcome)
        else:
            reply = Response(self._seq, True, outcome, cmd=cmd, request=args)
        self.last_response = reply
        return reply

    def _failure(self, cmd: str, args: Json, got: httpx.Response) -> Response:
        try:
            error = dict(got.json()["error"])
        except (ValueError, KeyError, TypeError):
            error = {"class": f"http-{got.status_code}", "message": got.text[:200]}
        return Response(self._seq, False, error=error, cmd=cmd, request=args)

    def reset(self) -> None:
        """Nothing to reset: each request stands alone."""

    def close(self) -> None:
        self.client.close()

    # --- the commands: each answers a result, or the failed HTTP answer -----------------

    def _rt_open(self, args: Json) -> Json:
        if self._opened:
            raise NotOverHttp("a service is one runtime over its store: rt-open it once")
        self._opened = True
        return {"runtime": "service"}

    def _rt_close(self, args: Json) -> Json:
        self._opened = False
        return {}

    def _rt_genesis(self, args: Json) -> Json | httpx.Response:
        body: Json = {"wasm": args["module"]} if "module" in args else {"test": args["actor"]}
        if "state" in args:
            body["state"] = args["state"]
        got = self.client.post("/v1/actors", json=body)  # HTTP-004.1
        return {"actor": got.json()["actor"]} if got.status_code == 201 else got

    def _rt_send(self, args: Json) -> Json | httpx.Response:
        if "headers" in args:
            raise NotOverHttp("a send over HTTP has the headers {mt} only (HTTP-005.1)")
        body: Json = {"content": args["content"], "signal": bool(args.get("signal", False))}
        if "mt" in args:
            body["mt"] = args["mt"]
        got = self.client.post(f"/v1/actors/{args['to']}/messages", json=body)
        return {"message": got.json()["message"]} if got.status_code == 202 else got

    def _rt_run(self, args: Json) -> Json | httpx.Response:
        got = self.client.post("/v1/settle", json={"timeout": SETTLE_TIMEOUT})  # HTTP-011
        return {"quiescent": got.json()["quiescent"]} if got.status_code == 200 else got

    def _rt_head(self, args: Json) -> Json | httpx.Response:
        got = self.client.get(f"/v1/actors/{args['actor']}")  # HTTP-007.3
        if got.status_code == 404:
            return {"step": None}
        return {"step": got.json()["head"]} if got.status_code == 200 else got

    def _rt_object(self, args: Json) -> Json | httpx.Response:
        got = self.client.get(f"/v1/objects/{args['id']}", params={"form": "raw"})
        return {"bytes": got.content.hex()} if got.status_code == 200 else got

    def _rt_query(self, args: Json) -> Json | httpx.Response:
        path = f"/v1/actors/{args['actor']}/queries/{args['name']}"
        got = self.client.get(path, params={"form": "raw"})  # HTTP-006.2: the blob's bytes
        if got.status_code != 200:
            return got
        blob = g.decode_object(got.content)
        if not isinstance(blob, g.Blob):
            return {"data": None, "not-a-blob": got.content.hex()}
        return {"data": blob.data.hex()}

    def _rt_ref(self, args: Json) -> Json | httpx.Response:
        got = self.client.get(f"/v1/refs/{args['name']}")  # HTTP-009.3
        if got.status_code == 404:
            return {"target": None}
        return {"target": got.json()["target"]} if got.status_code == 200 else got

    def _rt_export(self, args: Json) -> Json | httpx.Response:
        got = self.client.get(f"/v1/actors/{args['actor']}/bundle")  # HTTP-010.1
        return {"bundle": got.content.hex()} if got.status_code == 200 else got

    def _rt_import(self, args: Json) -> Json | httpx.Response:
        body = bytes.fromhex(args["bundle"])
        got = self.client.post("/v1/bundles", content=body, headers={"content-type": _BUNDLE})
        return dict(got.json()) if got.status_code == 200 else got  # HTTP-010.2

    def _rt_fork(self, args: Json) -> Json | httpx.Response:
        body: Json = {"step": args["step"]}
        if "state" in args:
            body["state"] = args["state"]
        got = self.client.post(f"/v1/actors/{args['actor']}/fork", json=body)  # HTTP-017.1
        return {"actor": got.json()["actor"]} if got.status_code == 201 else got

    def _rt_verify(self, args: Json) -> Json | httpx.Response:
        exported = self._rt_export(args)
        if isinstance(exported, httpx.Response):
            return exported
        with tempfile.TemporaryDirectory(prefix="gritwit-teleport-verify-") as tmp:
            handle = str(answer(self.verifier, "rt-open", path=tmp)["runtime"])
            try:
                imported = answer(self.verifier, "rt-import", runtime=handle, **exported)
                if "error" in imported:
                    return {"verified": False, "bundle": imported["error"]}
                return answer(self.verifier, "rt-verify", runtime=handle, actor=args["actor"])
            finally:
                self.verifier.call("rt-close", runtime=handle)


class HttpLeg(Leg):
    """A :class:`~._mirror.Leg` whose implementation is one :class:`HttpService`.

    Besides the leg's comparison it keeps the rules of the module's docstring, on the
    reference's answers, so a scenario that breaks one stops with :class:`NotOverHttp`.
    """

    #: The messages (geneses too) sent since the last run that drained them.
    pending: list[str]

    def __init__(
        self,
        impl: Any,
        oracle: Implementation,
        top: Path,
        name: str,
        requirements: tuple[str, ...],
    ) -> None:
        self.pending = []
        super().__init__(impl, oracle, top, name, requirements)

    def reference(self, cmd: str, **args: Any) -> Json:
        if cmd in ("rt-send", "rt-genesis") and self.pending:
            raise NotOverHttp(
                "two messages pending at once: a service may read them in one step, the "
                "reference's rounds in two (send, then settle, one message at a time)"
            )
        if cmd == "rt-export" and self.pending:
            raise NotOverHttp(
                "a message sent and not run stays behind at the move (RUN-009.12): a "
                "service has read it already, on its own clock"
            )
        want = super().reference(cmd, **args)
        if cmd in ("rt-send", "rt-genesis") and "error" not in want:
            self.pending.append(cmd)
        if cmd == "rt-run" and "error" not in want:
            if not want.get("quiescent"):
                raise NotOverHttp(
                    f"rt-run max_steps={args.get('max_steps')} leaves messages in flight: a "
                    "service has no bound on its steps, it runs until it is quiescent"
                )
            self.pending.clear()
        return want

    def __call__(self, cmd: str, **args: Any) -> Json:
        if cmd != "rt-run":
            return super().__call__(cmd, **args)
        want = self.reference(cmd, **args)
        settled = answer(self.impl, "rt-run", runtime=self.mine)
        self.compared += 1
        heads = {actor: step for actor, step in want.get("steps", [])}  # the last of each
        failed = {actor for actor, _ in want.get("failures", [])}
        expected = {"quiescent": True, "heads": heads, "failed": sorted(failed)}
        got = {
            "quiescent": settled.get("quiescent", settled),
            "heads": {a: answer(self.impl, "rt-head", actor=a).get("step") for a in heads},
            "failed": sorted(a for a in set(heads) | failed if self._marked(a)),
        }
        if got != expected:
            raise Divergence(
                self.requirements,
                f"{self.label}: after a settle (rt-run) the reference's run gives "
                f"{expected}, the service {got}",
            )
        return want

    def _marked(self, actor: str) -> bool:
        mark = answer(self.impl, "rt-ref", name=f"names/failed/{actor}")
        return mark.get("target") is not None


class _DryLeg(HttpLeg):
    """The reference alone, with :class:`HttpLeg`'s rules: for :func:`over_http_reason`.

    ``impl`` is the reference and ``mine`` its runtime, so the move's export and import
    read the reference's own answers.
    """

    def __init__(self, oracle: Implementation, top: Path, name: str) -> None:
        self.pending = []
        self.impl, self.oracle, self.name, self.requirements = oracle, oracle, name, ()
        self.compared = 0
        path = top / f"{name}-dry"
        path.mkdir(parents=True)
        opened = answer(oracle, "rt-open", path=str(path))
        if "runtime" not in opened:
            raise SuiteBug(f"the reference cannot open a runtime: {opened}")
        self.mine = self.ref = str(opened["runtime"])

    def __call__(self, cmd: str, **args: Any) -> Json:
        return self.reference(cmd, **args)

    def close(self) -> None:
        self.oracle.call("rt-close", runtime=self.ref)


_REASONS: dict[str, str] = {}


def over_http_reason(
    scenario: Scenario,
    oracle: Implementation,
    workdir: Path | None = None,
    *,
    remember: bool = True,
) -> str:
    """Why ``scenario`` cannot run between services, or ``""``: from a dry run of it on
    the reference alone under :class:`HttpLeg`'s rules (remembered per scenario name
    unless ``remember`` is false)."""
    if remember and scenario.name in _REASONS:
        return _REASONS[scenario.name]
    if "sandbox" in scenario.profiles and "sandbox" not in oracle.profiles:
        return "the reference here has no pinned interpreter (pip install 'gritwit[sandbox]')"
    with tempfile.TemporaryDirectory(prefix="gritwit-teleport-dry-", dir=workdir) as tmp:
        outcome = Outcome(scenario.name, "passed")
        try:
            run_legs(scenario, lambda name, _: _DryLeg(oracle, Path(tmp), name), outcome)
            reason = "" if outcome.status == "passed" else f"the dry run: {outcome.reason}"
        except NotOverHttp as exc:
            reason = f"{outcome.stage}: {exc.reason}"
    if remember:
        _REASONS[scenario.name] = reason
    return reason


def check_over_http(
    scenario: Scenario,
    oracle: Implementation,
    service: Callable[[str], str],
    workdir: Path | None = None,
) -> Outcome:
    """Run ``scenario`` between services: ``service(leg)`` starts a fresh service for
    the leg ``source``, ``target`` or ``home`` and answers its URL.  Every answer is
    compared with ``oracle``'s continuing the same bundles (RUN-009.7).  A scenario
    :func:`over_http_reason` refuses is *not-run*, with the reason."""
    started = time.monotonic()
    why = over_http_reason(scenario, oracle, workdir)
    if why:
        return Outcome(scenario.name, "not-run", reason=why)
    outcome = Outcome(scenario.name, "passed")
    services: list[HttpService] = []

    def open_leg(name: str, rules: tuple[str, ...]) -> Leg:
        services.append(HttpService(service(name), verifier=oracle))
        return HttpLeg(services[-1], oracle, Path(tmp), name, rules)

    with tempfile.TemporaryDirectory(prefix="gritwit-teleport-", dir=workdir) as tmp:
        try:
            run_legs(scenario, open_leg, outcome)
        except NotOverHttp as exc:  # the dry run let it through: the check is wrong
            outcome.status, outcome.reason = "errored", f"suite bug: {exc.reason}"
        finally:
            for client in services:
                client.close()
    outcome.seconds = time.monotonic() - started
    return outcome
