"""Every JSON answer a service gives, checked against the spec's OpenAPI document (HTTP-012.3).

The authority is the suite's own copy of ``spec/schemas/http-openapi.json`` (CONV-006),
not the document the service serves: a service that loosened its own document (or serves
none) must not loosen its judge. HTTP-012.1 asks only that the served document describe the
same endpoints; HTTP-012.3 asks that every answer follow the spec's.

:class:`CheckedClient` is the suite's HTTP client: after each answer it reads in full
(``client.stream`` answers are left alone, the events stream among them) it looks up the
operation the request reached (method and path template), the answer's status and media
type, and validates a JSON body against the schema the document gives there, ``$ref``\\ s
resolved within the document. A failed request's body (4xx, 5xx) is validated against the
operation's error answer, or ``Error`` (HTTP-003.1) where the document lists no such status
or the path is no operation. A success status the document does not list, a media type it
gives no schema for (a query's JSON answer, HTTP-006.1) and a body that is not JSON are not
this check's to judge: the tests' own status and media checks name their clauses.

A mismatch fails the request with an :class:`AnswerMismatch` naming HTTP-012.3, the
operation and its clause, the status, the field (a JSON path) and, in words, what the
document expects and what came. Validators are compiled once per operation, status and
media type, for the whole session.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from gritwit_conformance.data._paths import spec_dir
from gritwit_conformance.data._versions import spec_history
from gritwit_conformance.harness._plan import current_plan

__all__ = [
    "ANSWER_RULE",
    "AnswerMismatch",
    "CheckedClient",
    "OpenApi",
    "Operation",
    "described_fields",
    "judged",
    "served_fields",
    "spec_openapi",
]

#: The clause every answer's body follows: the document's schema for it.
ANSWER_RULE: Final = "HTTP-012.3"
_METHODS: Final = ("get", "put", "post", "delete", "patch")
_CLAUSE: Final = re.compile(r"\b[A-Z]{2,5}-\d{3}(?:\.\d+)?\b")
#: The one path parameter that holds slashes: a ref's name (HTTP-009.3).
_SLASHED: Final = frozenset({("/v1/refs/{name}", "name")})


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(_escape(p) for p in parts)


def _media(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii", "replace").split("?", 1)[0]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the document: method, path template, id and the clause it cites."""

    method: str
    template: str
    operation_id: str
    #: The clause the operation's description names (``spec/10-http.md, HTTP-006.``).
    clause: str
    pattern: re.Pattern[str]

    def named(self) -> str:
        clause = f" of {self.clause}" if self.clause else ""
        return f"the operation {self.operation_id}{clause}, {self.method} {self.template}"


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    text = ""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            slashed = (template, part[1:-1]) in _SLASHED
            text += ".+" if slashed else "[^/]+"
        else:
            text += re.escape(part)
    return re.compile(text)


@dataclass(frozen=True)
class OpenApi:
    """A parsed OpenAPI 3.1 document: its operations, and a validator per answer."""

    document: Mapping[str, Any]
    operations: tuple[Operation, ...]
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> OpenApi:
        operations = []
        for template, item in document.get("paths", {}).items():
            for method in _METHODS:
                operation = item.get(method) if isinstance(item, dict) else None
                if not isinstance(operation, dict):
                    continue
                found = _CLAUSE.search(str(operation.get("description", "")))
                operations.append(
                    Operation(
                        method.upper(),
                        template,
                        str(operation.get("operationId", "")),
                        found.group(0) if found else "",
                        _pattern(template),
                    )
                )
        # A literal segment wins over a parameter (``/v1/actors/x/openapi.json`` before
        # any ``{name}``): templates with fewer parameters are tried first.
        operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))
        return cls(document, tuple(operations))

    def operation(self, method: str, raw_path: str) -> Operation | None:
        """The operation ``method`` on ``raw_path`` reaches (``HEAD``: its ``GET``), or None."""
        method = "GET" if method == "HEAD" else method.upper()
        for operation in self.operations:
            if operation.method == method and operation.pattern.fullmatch(raw_path):
                return operation
        return None

    def resolve(self, node: Any) -> Any:
        """``node`` with local ``$ref``\\ s followed."""
        for _ in range(32):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def answer_pointer(self, operation: Operation | None, status: int, media: str) -> str | None:
        """The pointer of the schema a ``status`` answer of ``media`` follows, or None.

        A failed request's answer follows ``Error`` where the operation lists no schema
        for its status (HTTP-003.1); a success status the operation does not list has none.
        """
        error = "#/components/schemas/Error" if status >= 400 else None
        if operation is None:
            return error
        item = self.document["paths"][operation.template][operation.method.lower()]
        answers = item.get("responses", {})
        for code in (str(status), f"{str(status)[0]}XX", "default"):
            if code in answers:
                answer = answers[code]
                base = ("paths", operation.template, operation.method.lower(), "responses", code)
                if isinstance(answer, dict) and isinstance(answer.get("$ref"), str):
                    ref = answer["$ref"]
                    answer = self.resolve(answer)
                    base = tuple(
                        p.replace("~1", "/").replace("~0", "~")
                        for p in ref.removeprefix("#/").split("/")
                    )
                content = answer.get("content", {}) if isinstance(answer, dict) else {}
                if media in content and isinstance(content[media], dict):
                    if "schema" in content[media]:
                        return _pointer(*base, "content", media, "schema")
                    return None  # described without a schema: any JSON (HTTP-006.1)
                return error if media == "application/json" else None
        return error if media == "application/json" else None

    def validator(self, pointer: str) -> Draft202012Validator:
        """A compiled validator of the schema at ``pointer`` (cached for the session)."""
        found = self._validators.get(pointer)
        if found is None:
            # The whole document is the root schema, so that its local ``$ref``\ s resolve;
            # its own members (``openapi``, ``paths`` …) are no JSON Schema keywords.
            found = Draft202012Validator({**self.document, "$ref": pointer})
            self._validators[pointer] = found
        return found

    def schema_name(self, pointer: str) -> str:
        """The schema's name (``ActorList``) where the pointer's schema is a reference."""
        if pointer.startswith("#/components/schemas/") and pointer.count("/") == 3:
            return pointer.rsplit("/", 1)[1]
        node: Any = self.document
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return ref.rsplit("/", 1)[1]
        return pointer.removeprefix("#/")

    def mismatch(self, response: httpx.Response) -> AnswerMismatch | None:
        """What in ``response`` breaks the document, or None (see the module's text)."""
        request = response.request
        if request.method == "HEAD" or not response.content:
            return None
        media = _media(response)
        if media != "application/json":
            return None
        operation = self.operation(request.method, _raw_path(request))
        pointer = self.answer_pointer(operation, response.status_code, media)
        if pointer is None:
            return None
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: HTTP-002.1's, judged where a test reads the body
        error = best_match(self.validator(pointer).iter_errors(body))
        if error is None:
            return None
        return AnswerMismatch(
            operation=operation,
            request=f"{request.method} {_raw_path(request)}",
            status=response.status_code,
            schema=self.schema_name(pointer),
            where=error.json_path,
            words=_in_words(error, self),
        )


class AnswerMismatch(AssertionError):
    """An answer whose JSON body the document's schema for it does not allow (HTTP-012.3)."""

    def __init__(
        self,
        *,
        operation: Operation | None,
        request: str,
        status: int,
        schema: str,
        where: str,
        words: str,
    ) -> None:
        self.operation = operation
        self.status = status
        self.where = where
        reached = operation.named() if operation is not None else "no operation of the document"
        super().__init__(
            f"{ANSWER_RULE}: the {status} answer to {request} ({reached}) does not follow "
            f"the schema {schema} of spec/schemas/http-openapi.json at {where}: {words}"
        )


def _shown(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _described(schema: Any, document: OpenApi) -> str:
    """The clauses a schema's description names, in words, or nothing."""
    found: list[str] = []
    for node in (schema, document.resolve(schema)):  # its own words first, then its $ref's
        if isinstance(node, dict):
            found += [
                c for c in _CLAUSE.findall(str(node.get("description", ""))) if c not in found
            ]
    return f" (the document's description cites {', '.join(found)})" if found else ""


def _in_words(error: ValidationError, document: OpenApi) -> str:
    """What the document expects where ``error`` is, and what came, in words."""
    keyword, expected, came = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "additionalProperties" and isinstance(came, dict):
        described = set(schema.get("properties", {}))
        extra = sorted(k for k in came if k not in described)
        return (
            f"it serves the field(s) {extra}, which the document does not describe there "
            f"(it describes {sorted(described)}); came {_shown({k: came[k] for k in extra})}"
        )
    if keyword == "required" and isinstance(came, dict):
        missing = [name for name in expected if name not in came]
        cites = "".join(
            _described(schema.get("properties", {}).get(name, {}), document) for name in missing
        )
        return (
            f"the document requires the field(s) {missing}, which the answer lacks{cites}; "
            f"came an object with the fields {sorted(came)}"
        )
    if keyword == "type":
        return f"the document expects a value of type {_shown(expected)}, came {_shown(came)}"
    if keyword in ("const", "enum"):
        return f"the document expects {keyword} {_shown(expected)}, came {_shown(came)}"
    if keyword == "pattern":
        return f"the document expects text matching {expected!r}, came {_shown(came)}"
    if keyword in ("oneOf", "anyOf"):
        return (
            f"the value fits none of the document's alternatives ({error.message}); "
            f"came {_shown(came)}"
        )
    return (
        f"the document expects {keyword} {_shown(expected)}; came {_shown(came)} ({error.message})"
    )


def judged() -> OpenApi | None:
    """The document answers are checked against in this run, or None when the run applies
    a spec version older than HTTP-012.3 (``--spec-version``, ADP-005.6): the document of
    today does not judge the answers of an older version's service."""
    version = current_plan().spec_version
    if version is not None:
        history = spec_history()
        if history is not None and history.added_after(ANSWER_RULE, version):
            return None
    return spec_openapi()


@cache
def spec_openapi() -> OpenApi:
    """The suite's copy of ``spec/schemas/http-openapi.json``, parsed once (CONV-006)."""
    path = spec_dir() / "schemas" / "http-openapi.json"
    return OpenApi.of(json.loads(path.read_text(encoding="utf-8")))


class CheckedClient(httpx.Client):
    """An :class:`httpx.Client` whose every answer read in full follows the document.

    ``answers`` records every answer it checked, in order (the session test of
    ``test_openapi.py`` walks them); ``mismatches`` every mismatch it raised.
    """

    def __init__(self, *args: Any, judge: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The spec's document, whatever the run applies (the session test reads it).
        self.document = spec_openapi()
        #: Whether answers are checked: not under a spec version older than HTTP-012.3.
        self.judging = judge and judged() is not None
        self.answers: list[httpx.Response] = []
        self.keep_answers = False
        self.mismatches: list[AnswerMismatch] = []

    def send(
        self, request: httpx.Request, *, stream: bool = False, **kwargs: Any
    ) -> httpx.Response:
        response = super().send(request, stream=stream, **kwargs)
        if stream:
            return response  # read piecewise by its test (the events stream, HTTP-008)
        if self.keep_answers:
            self.answers.append(response)
        mismatch = self.document.mismatch(response) if self.judging else None
        if mismatch is not None:
            self.mismatches.append(mismatch)
            raise mismatch
        return response


# --- the document against the fields served, both ways ----------------------------------


def _node(document: OpenApi, pointer: str) -> Any:
    node: Any = document.document
    for part in pointer.removeprefix("#/").split("/") if pointer != "#" else ():
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _applicable(document: OpenApi, pointer: str, value: Any) -> Iterator[tuple[str, Any]]:
    """The schemas at ``pointer`` that apply to ``value``: itself, what its ``$ref`` names,
    its ``allOf``, and those of its ``oneOf`` and ``anyOf`` that ``value`` fits."""
    node = _node(document, pointer)
    if not isinstance(node, dict):
        return
    yield pointer, node
    if isinstance(node.get("$ref"), str):
        yield from _applicable(document, node["$ref"], value)
    for index, _ in enumerate(node.get("allOf", ())):
        yield from _applicable(document, f"{pointer}/allOf/{index}", value)
    for keyword in ("oneOf", "anyOf"):
        for index, _ in enumerate(node.get(keyword, ())):
            alternative = f"{pointer}/{keyword}/{index}"
            if document.validator(alternative).is_valid(value):
                yield from _applicable(document, alternative, value)


def served_fields(
    document: OpenApi,
    pointer: str,
    value: Any,
    served: set[tuple[str, str]],
    where: str = "$",
) -> list[str]:
    """Walk ``value`` along the schema at ``pointer``: add each ``(schema pointer, field)``
    it serves to ``served``, and answer the JSON paths of the fields no applicable schema
    describes, whatever their ``additionalProperties`` says (HTTP-012.3).

    An object whose applicable schemas say nothing of its fields (``{"type": "object"}``:
    the served OpenAPI document itself) is left alone.
    """
    schemas = list(_applicable(document, pointer, value))
    undescribed: list[str] = []
    if isinstance(value, dict):
        open_ended = [
            (p, n)
            for p, n in schemas
            if "properties" in n or "additionalProperties" in n or "propertyNames" in n
        ]
        if not open_ended:
            return undescribed
        for name, item in value.items():
            owners = [p for p, n in open_ended if name in n.get("properties", {})]
            for owner in owners:
                served.add((owner, name))
                more = f"{owner}/properties/{_escape(name)}"
                undescribed += served_fields(document, more, item, served, f"{where}.{name}")
            if owners:
                continue
            rest = [p for p, n in open_ended if isinstance(n.get("additionalProperties"), dict)]
            if not rest:
                undescribed.append(f"{where}.{name}")
            for owner in rest:
                more = f"{owner}/additionalProperties"
                undescribed += served_fields(document, more, item, served, f"{where}.{name}")
    elif isinstance(value, list):
        for p, n in schemas:
            prefix = n.get("prefixItems", [])
            for index, item in enumerate(value):
                if index < len(prefix):
                    more = f"{p}/prefixItems/{index}"
                elif isinstance(n.get("items"), dict):
                    more = f"{p}/items"
                else:
                    continue
                undescribed += served_fields(document, more, item, served, f"{where}[{index}]")
    return sorted(set(undescribed))


def described_fields(
    document: OpenApi,
    pointer: str,
    described: set[tuple[str, str]],
    seen: set[str] | None = None,
) -> set[tuple[str, str]]:
    """Add each ``(schema pointer, field)`` the schema at ``pointer`` describes, at any
    depth, to ``described`` (the pointers as :func:`served_fields` records them)."""
    seen = set() if seen is None else seen
    if pointer in seen:
        return described
    seen.add(pointer)
    node = _node(document, pointer)
    if not isinstance(node, dict):
        return described
    more: list[str] = []
    if isinstance(node.get("$ref"), str):
        more.append(node["$ref"])
    for keyword in ("allOf", "oneOf", "anyOf", "prefixItems"):
        more += [f"{pointer}/{keyword}/{i}" for i, _ in enumerate(node.get(keyword, ()))]
    for name in node.get("properties", {}):
        described.add((pointer, name))
        more.append(f"{pointer}/properties/{_escape(name)}")
    for keyword in ("additionalProperties", "items"):
        if isinstance(node.get(keyword), dict):
            more.append(f"{pointer}/{keyword}")
    for each in more:
        described_fields(document, each, described, seen)
    return described
