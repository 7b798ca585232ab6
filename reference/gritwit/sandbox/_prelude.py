"""The prelude: host-written Python that runs the program inside the interpreter (SBX-006).

It is not a security boundary — WASI is (SBX-005) — it only names what a program
tried: a process, a socket, a name lookup or a file outside the mount ends the run
with the reserved exit status of a forbidden operation, and an uncaught
``MemoryError`` with that of the memory limit (SBX-008.2).  Where the interpreter
fails such an attempt before CPython's audit event (``os.system``,
``subprocess.Popen``, ``socket.getaddrinfo`` on WASI), the function is replaced by a
stub that names it (SBX-005.6).  Audit hooks cannot be removed by the program,
and nothing the hook uses is a name the program can rebind (SBX-005.21).

It initialises what every run needs (the hooks, the parser's AST types, ``json``
and ``base64`` for the input of SBX-003.3, other common modules), then reaches the
snapshot point (SBX-005.14): it calls ``clock_res_get`` with the address of its
runner ``_gritwit_main`` as the clock id.
The reference host calls the runner there, in a cold run as in one restored from a
snapshot taken there (``_snapshot.py``); a host that answers the call (or refuses
it) lets the prelude call the runner itself.  The runner runs the program and ends
the interpreter with ``os._exit``: an uncaught exception prints its traceback and
exits with 1, ``SystemExit`` with its status (as CPython), after the ``atexit``
functions ran, the program's globals were dropped (closing its files) and the
standard streams were flushed.
"""

from __future__ import annotations

from typing import Final

from .wasi._calls import PRELUDE_NAME

__all__ = ["EXIT_FORBIDDEN", "EXIT_MEMORY", "PRELUDE", "PRELUDE_NAME", "PROGRAM_NAME"]

EXIT_FORBIDDEN: Final = 120
EXIT_MEMORY: Final = 121
PROGRAM_NAME: Final = "main.py"

PRELUDE: Final = f"""\
import os, sys

def _forbid(what, _write=os.write, _exit=os._exit, _str=str, _bytes=bytes):
    try:
        line = "gritwit-sandbox: forbidden: " + _str(what)[:300] + "\\n"
        _write(2, _bytes(line, "utf-8", "replace"))
    finally:
        _exit({EXIT_FORBIDDEN})

_ALLOWED = tuple(p.rstrip("/") for p in ("/core", "/input", "/out", sys.prefix, "/wlr/"))
_EVENTS = ("os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn",
           "os.kill", "os.killpg", "subprocess.Popen", "socket.__new__", "socket.connect",
           "socket.bind", "socket.getaddrinfo", "pty.spawn", "ctypes.dlopen")
_SETTERS = ("__code__", "__defaults__", "__kwdefaults__")

def _normal(path):
    # the normalised absolute path, by string operations alone (nothing a program can rebind)
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/" + "/".join(parts)

# Everything the hook uses is bound as a default now: no module attribute, global or builtin
# a program can rebind reaches it (SBX-005.21), and its defaults and code cannot be set.
def _hook(event, args, _forbid=_forbid, _normal=_normal, _str=str, _bytes=bytes,
          _int=int, _isinstance=isinstance, _allowed=_ALLOWED, _events=_EVENTS,
          _setters=_SETTERS, _prelude="/input/{PRELUDE_NAME}", _type=type, _getattr=getattr):
    if event in _events:
        _forbid(event)
    if event == "open":
        path = args[0]
        if _isinstance(path, _bytes):
            path = path.decode("utf-8", "surrogateescape")
        if _isinstance(path, _int):
            return
        if not _isinstance(path, _str):
            _forbid("open of a " + _type(path).__name__ + ", not a path")
        if not _str.startswith(path, "/"):  # str's own, whatever a subclass says
            # relative: it starts from a directory the program holds, a descriptor (dir_fd,
            # which the event does not carry) or the working directory, and the host (or the
            # module's library) resolves it from there, refusing a .. above its preopen
            # (SBX-005.33, SBX-005.8); judged from the working directory, ../../y from a
            # descriptor of /core/a/b, which is /core/y, would pass for /y
            return
        path = _normal(path)
        for allowed in _allowed:
            if path == allowed or path.startswith(allowed + "/"):
                return
        _forbid("open " + path[:200])
    elif event == "object.__setattr__" and args[1] in _setters:
        code = _getattr(args[0], "__code__", None)
        if code is not None and code.co_filename == _prelude:
            _forbid("changing the prelude's " + args[1])

def _stub(name, _forbid=_forbid):
    def stub(*args, **kwargs):
        _forbid(name)
    return stub

for _name in ("system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle",
              "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnv",
              "spawnve", "posix_spawn", "posix_spawnp", "kill", "killpg"):
    setattr(os, _name, _stub("os." + _name))
# with os.fork present the library registers fork handlers; no fork ever happens
os.register_at_fork = lambda **kwargs: None
# On WASI subprocess.Popen raises OSError, and socket.getaddrinfo (create_connection, urllib)
# AttributeError, before their audit events: they are stubbed too.  Importing the modules is
# no attempt (selectors polls once, waiting for nothing).  platform asks `uname -p` for the
# processor (and takes the OSError for no): asked here, before the stub, so that
# platform.platform() and platform.processor() are no attempt either.
import platform, socket, subprocess
platform.uname().processor
subprocess.Popen.__init__ = _stub("subprocess.Popen")
socket.getaddrinfo = _stub("socket.getaddrinfo")
sys.addaudithook(_hook)
del _hook, _stub, _forbid, _normal
os.chdir("/core")
del _name

# Warm up what every run would otherwise pay for: the AST types (compile) and the
# modules programs use most (json and base64 for the input); none reads the clock or
# draws randomness when imported (random does: only its own imports are warmed up).
compile("pass", "<prelude>", "exec")
import atexit, gc, time
import base64, bisect, collections, datetime, functools, hashlib, itertools, json, math, re
import string

def _gritwit_main(_exit=os._exit, _sys=sys, _atexit=atexit, _gc=gc):
    status = 0
    namespace = {{"__name__": "__main__", "__builtins__": __builtins__}}
    try:
        source = open("/input/{PROGRAM_NAME}", encoding="utf-8").read()
        exec(compile(source, "{PROGRAM_NAME}", "exec"), namespace)
    except MemoryError:
        _exit({EXIT_MEMORY})
    except SystemExit as exc:
        if exc.code is None:
            status = 0
        elif isinstance(exc.code, int):
            # a status that is no i32 is still a failure (SBX-008.3)
            status = exc.code if -2**31 <= exc.code < 2**31 else 1
        else:
            try:
                print(exc.code, file=_sys.stderr)
            except BaseException:
                pass
            status = 1
    except BaseException as exc:
        try:
            exc.__traceback__ = exc.__traceback__.tb_next
            _sys.excepthook(type(exc), exc, exc.__traceback__)
        except BaseException:
            pass
        status = 1
    exc = None
    try:
        _atexit._run_exitfuncs()
        namespace.clear()
        _gc.collect()
    except MemoryError:
        _exit({EXIT_MEMORY})
    except BaseException:
        pass
    for stream in (_sys.stdout, _sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    _exit(status)

# What start-up made is never garbage: the collector skips it from here on.
gc.collect()
gc.freeze()

# The snapshot point: the host calls _gritwit_main here and never returns.
_point = id(_gritwit_main).to_bytes(4, "little")
try:
    time.clock_getres(id(_point) + 16)  # the bytes' data: 16 bytes into the object
except OSError:
    pass
_gritwit_main()
"""
