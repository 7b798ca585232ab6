"""Request → response for the reference (ADP-002 … ADP-010, ADP-014, ADP-015). Never raises.

Commands are methods named ``cmd_<name>`` (dashes become underscores), so a
variant of the reference — such as the deliberately wrong adapters of the
conformance suite — overrides one method and inherits the rest.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import blake3

from .._cbor import decode_value, encode_value
from .._codec import decode_object, encode_with_id
from .._errors import GritError, OutcomeUnknown, RefConflict
from .._ids import ObjectId
from .._json import object_from_json, object_to_json
from .._version import SPEC_VERSION, __version__
from ..store import MemoryBackend, SqliteBackend, Store
from ._args import BadRequest, Json, _optional_id, closed
from ._args import _hex as _hex  # re-exported: wrong adapters patch around them
from ._args import _id as _id
from ._args import _str as _str
from ._http import HttpCommands, http_available
from ._perf import PerfCommands
from ._profiles import refusal
from ._runtime import RuntimeCommands
from ._sandbox import SandboxCommands, sandbox_available
from ._stores import STORE_URL_VARIABLE, StoreLocations
from ._wit import WitCommands

__all__ = ["PROTOCOL_VERSION", "BadRequest", "ReferenceAdapter"]

#: The adapter protocol version this module speaks (ADP-005).
PROTOCOL_VERSION = 1


class UnsupportedProtocol(Exception):
    """``hello`` asked for a protocol version this adapter does not speak (ADP-005)."""


class ReferenceAdapter(WitCommands, RuntimeCommands, PerfCommands, SandboxCommands, HttpCommands):
    """One adapter session: the reference's answers to protocol requests."""

    name = "gritwit-reference"
    language = "python"
    homepage = "https://github.com/gritwit/gritwit"
    #: ``sandbox`` only with the interpreter of the extra ``gritwit[sandbox]`` (ADP-019.1);
    #: ``http`` only with Starlette and uvicorn, the extra ``gritwit[serve]`` (ADP-021).
    profiles: tuple[str, ...] = (
        "codec",
        "store",
        "wit",
        "runtime",
        "wasm",
        "perf",
        *(("sandbox",) if sandbox_available() else ()),
        *(("http",) if http_available() else ()),
        "services",
        "port",
    )

    def __init__(
        self, profiles: tuple[str, ...] | None = None, *, store_url: str | None = None
    ) -> None:
        """``profiles``: claim only these (``--profiles``); ``store_url`` (default:
        ``$GRITWIT_STORE_URL``): keep every durable store in that PostgreSQL database, a
        schema per path (ADP-010.6, DUR-005); else each in its directory (SQLite)."""
        url = store_url if store_url is not None else os.environ.get(STORE_URL_VARIABLE)
        self.stores = StoreLocations(url or None)
        if profiles is not None:  # ``gritwit adapter --profiles``: claim only these
            unknown = sorted(set(profiles) - set(type(self).profiles))
            if unknown:
                raise ValueError(f"profiles this reference cannot claim: {unknown}")
            self.profiles = tuple(p for p in type(self).profiles if p in profiles)
        self._limited = None if profiles is None else frozenset(self.profiles)
        self._stores: dict[str, tuple[Store, Path | None]] = {}
        self._next_store = 0
        #: A durable store's ``via`` and ``max_write_bytes`` by handle (ADP-022).
        self._store_options: dict[str, tuple[str | None, int | None]] = {}
        self.shutting_down = False
        WitCommands.__init__(self)
        RuntimeCommands.__init__(self)
        HttpCommands.__init__(self)

    # --- the envelope ---------------------------------------------------------------------

    def handle(self, request: Json) -> Json:
        """Answer one request (ADP-003.1); failures become error responses (ADP-003.2).

        Unknown request fields are ignored (ADP-002).
        """
        seq = request.get("seq")
        cmd = request.get("cmd")
        method: Callable[[Json], Json] | None = (
            getattr(self, "cmd_" + cmd.replace("-", "_"), None) if isinstance(cmd, str) else None
        )
        if method is None:
            return self.error(seq, "unsupported-command", f"unknown command {cmd!r:.60}")  # ADP-008
        if self._limited is not None:
            refused = refusal(str(cmd), request, self._limited)
            if refused is not None:
                return self.error(seq, *refused)
        try:
            result = method(request)
        except GritError as exc:
            response = self.error(seq, exc.error_class, str(exc), requirement=exc.requirement)
            if isinstance(exc, RefConflict):
                current = exc.current
                response["error"]["current"] = None if current is None else current.hex()
            elif isinstance(exc, OutcomeUnknown) and exc.messages:  # RUN-019.6
                response["error"]["messages"] = [oid.hex() for oid in exc.messages]
            return response
        except BadRequest as exc:
            return self.error(seq, "bad-request", str(exc))
        except UnsupportedProtocol as exc:
            return self.error(seq, "unsupported-protocol", str(exc), requirement="ADP-005.2")
        except Exception as exc:  # the reference's own bug: report, keep serving
            return self.error(seq, "internal", f"{type(exc).__name__}: {exc}")
        return {"seq": seq, "ok": True, **result}

    @staticmethod
    def error(seq: object, cls: str, message: str, *, requirement: str | None = None) -> Json:
        error: Json = {"class": cls, "message": message}
        if requirement is not None:
            error["requirement"] = requirement
        return {"seq": seq, "ok": False, "error": error}

    # --- handshake and shutdown (ADP-005, ADP-011) ------------------------------------------

    def cmd_hello(self, args: Json) -> Json:
        """The handshake: ``unsupported-protocol`` (ADP-005.2), else who we are (ADP-005.1).

        ``protocol`` is an integer argument checked before the versions are compared:
        ``1.0``, ``true`` or ``"1"`` is ``bad-request`` (ADP-004.6, ADP-004.12), though
        Python's ``1.0 == 1`` and ``True == 1`` would take the first two for version 1.
        """
        protocol = args.get("protocol")
        if type(protocol) is not int:
            raise BadRequest(
                f"protocol must be an integer written without fraction or exponent, not "
                f"{protocol!r:.20} (ADP-004.12, ADP-004.6)"
            )
        if protocol != PROTOCOL_VERSION:
            raise UnsupportedProtocol(
                f"this adapter speaks protocol {PROTOCOL_VERSION}, not {args.get('protocol')!r:.20}"
            )
        return {
            "protocol": PROTOCOL_VERSION,
            "implementation": {
                "name": self.name,
                "version": __version__,
                "language": self.language,
                "homepage": self.homepage,
                "spec": SPEC_VERSION,
            },
            "profiles": list(self.profiles),
            # Optional features it offers, claimed so the harness sends their arguments
            # (ADP-005.7): shares (RUN-021); with a store server, its fault proxy and a
            # write bound per store (ADP-022).
            **self._store_features(),
        }

    def _store_features(self) -> Json:
        server = self.stores.server()
        # tokens: the http-serve arguments of ADP-021.4 (HTTP-018), with the profile
        tokens = ["tokens"] if "http" in self.profiles else []
        if server is None:
            return {"features": ["placement", "shares", *tokens]}
        features = ["placement", "shares", "store-server", "write-limit", *tokens]
        return {"features": features, "store_server": server}

    def cmd_shutdown(self, args: Json) -> Json:
        """Answer, then the serve loop ends and the process exits 0 (ADP-011.1)."""
        self.close()
        self.shutting_down = True
        return {}

    def close(self) -> None:
        self.close_services()  # ADP-021.3
        for store, _ in self._stores.values():
            store.close()
        self._stores.clear()
        self.close_runtimes()
        self.close_durable_runtimes()

    # --- codec profile (ADP-009.1) -------------------------------------------------------

    def cmd_encode(self, args: Json) -> Json:
        data, oid = encode_with_id(object_from_json(args.get("object")))
        return {"bytes": data.hex(), "id": oid.hex()}

    def cmd_decode(self, args: Json) -> Json:
        data = _hex(args, "bytes")
        obj = decode_object(data)
        return {"object": object_to_json(obj), "id": blake3.blake3(data).hexdigest()}

    def cmd_id(self, args: Json) -> Json:
        data = _hex(args, "bytes")
        decode_object(data)  # ID-004: ids only for canonical encodings
        return {"id": blake3.blake3(data).hexdigest()}

    def cmd_decode_value(self, args: Json) -> Json:
        return {"bytes": encode_value(decode_value(_hex(args, "bytes"))).hex()}

    def cmd_hash(self, args: Json) -> Json:
        return {"digest": blake3.blake3(_hex(args, "bytes")).hexdigest()}

    # --- store profile (ADP-010.1) -------------------------------------------------------

    def _store(self, args: Json) -> Store:
        handle = _str(args, "store")
        if handle not in self._stores:
            raise BadRequest(f"no open store {handle!r:.60}")
        return self._stores[handle][0]

    def cmd_store_open(self, args: Json) -> Json:
        kind = args.get("kind")
        if kind == "memory":
            store, path = Store.memory(), None
        elif kind == "durable":
            path = Path(_str(args, "path"))
            options = _proxy_options(args)
            store = self.stores.open_via(path, *options) if options != (None, None) else (
                self.stores.open(path))  # fmt: skip
        else:
            raise BadRequest("kind must be 'memory' or 'durable'")
        self._next_store += 1
        handle = f"s{self._next_store}"
        self._stores[handle] = (store, path)
        if kind == "durable" and options != (None, None):
            self._store_options[handle] = options  # store-reopen keeps them (ADP-022.2)
        return {"store": handle}

    def cmd_put(self, args: Json) -> Json:
        return {"id": self._store(args).put(_hex(args, "bytes")).hex()}

    def cmd_get(self, args: Json) -> Json:
        return {"bytes": self._store(args).get(_id(args, "id")).hex()}

    def cmd_has(self, args: Json) -> Json:
        return {"present": self._store(args).has(_id(args, "id"))}

    def cmd_ref_get(self, args: Json) -> Json:
        oid = self._store(args).get_ref(_str(args, "name"))
        return {"id": None if oid is None else oid.hex()}

    def cmd_ref_cas(self, args: Json) -> Json:
        store = self._store(args)
        store.cas_ref(_str(args, "name"), _optional_id(args, "expected"), _optional_id(args, "new"))
        return {}

    def cmd_ref_list(self, args: Json) -> Json:
        return {"names": self._store(args).list_refs(_str(args, "prefix"))}

    def cmd_store_corrupt(self, args: Json) -> Json:
        store, oid = self._store(args), _id(args, "id")
        corrupt_stored_object(store, oid)
        return {}

    def cmd_store_reopen(self, args: Json) -> Json:
        handle = _str(args, "store")
        store, path = self._stores.get(handle, (None, None))
        if store is None or path is None:
            raise BadRequest(f"{handle!r:.60} is not an open durable store")
        store.close()
        options = self._store_options.get(handle)
        reopened = (
            self.stores.open(path) if options is None else self.stores.open_via(path, *options)
        )
        self._stores[handle] = (reopened, path)
        return {}

    def cmd_store_close(self, args: Json) -> Json:
        handle = _str(args, "store")
        store, _ = closed(self._stores, handle, f"no open store {handle!r:.60}")
        self._store_options.pop(handle, None)
        store.close()
        return {}


def _proxy_options(args: Json) -> tuple[str | None, int | None]:
    """``store-open``'s ``via`` and ``max_write_bytes`` (ADP-022.2, ADP-022.4), checked."""
    via, limit = args.get("via"), args.get("max_write_bytes")
    if via is not None:
        host, _, port = via.rpartition(":") if isinstance(via, str) else ("", "", "")
        if host != "127.0.0.1" or not (port.isascii() and port.isdigit() and len(port) <= 5):
            raise BadRequest("via must be 127.0.0.1:PORT (ADP-022.2)")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 2**53 - 1
    ):
        raise BadRequest("max_write_bytes must be an integer from 1 to 2**53 - 1 (ADP-022.4)")
    return via, limit


def corrupt_stored_object(store: Store, oid: ObjectId) -> None:
    """Test hook (``store-corrupt``): flip one bit of the stored bytes of ``oid`` in place."""
    backend = store.backend
    if isinstance(backend, MemoryBackend):
        objects = backend._objects  # the test hook reaches into its own reference backend
        if oid.digest not in objects:
            raise BadRequest(f"no object {oid} to corrupt")
        data = bytearray(objects[oid.digest])
        data[len(data) // 2] ^= 0x01
        objects[oid.digest] = bytes(data)
        return
    if isinstance(backend, SqliteBackend):
        with sqlite3.connect(backend.path) as conn:
            row = conn.execute("SELECT data FROM objects WHERE id = ?", (oid.digest,)).fetchone()
            if row is None:
                raise BadRequest(f"no object {oid} to corrupt")
            data = bytearray(row[0])
            data[len(data) // 2] ^= 0x01
            conn.execute("UPDATE objects SET data = ? WHERE id = ?", (bytes(data), oid.digest))
        conn.close()
        return
    if hasattr(backend, "flip_a_bit"):  # the PostgreSQL store (ADP-010.6, DUR-005)
        if not backend.flip_a_bit(oid):
            raise BadRequest(f"no object {oid} to corrupt")
        return
    raise BadRequest(f"cannot corrupt a {type(backend).__name__}")
