"""The prelude: host-written Python that runs the program inside the interpreter (SBX-006).

It is not a security boundary — WASI is (SBX-005) — it only names what a program
tried: a process, a socket or a file outside the mount ends the run with the
reserved exit status of a forbidden operation, and an uncaught ``MemoryError`` with
that of the memory limit (SBX-008.2).  Audit hooks cannot be removed by the program.

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

__all__ = ["EXIT_FORBIDDEN", "EXIT_MEMORY", "PRELUDE", "PRELUDE_NAME", "PROGRAM_NAME"]

EXIT_FORBIDDEN: Final = 120
EXIT_MEMORY: Final = 121
PRELUDE_NAME: Final = "gritwit_prelude.py"
PROGRAM_NAME: Final = "main.py"

PRELUDE: Final = f"""\
import os, sys

def _forbid(what):
    try:
        sys.stderr.write("gritwit-sandbox: forbidden: " + what + "\\n")
        sys.stderr.flush()
    finally:
        os._exit({EXIT_FORBIDDEN})

_ALLOWED = ("/core", "/input", "/out", sys.prefix, "/wlr/")
_EVENTS = ("os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn",
           "os.kill", "os.killpg", "subprocess.Popen", "socket.__new__", "socket.connect",
           "socket.bind", "socket.getaddrinfo", "pty.spawn", "ctypes.dlopen")

def _hook(event, args):
    if event in _EVENTS:
        _forbid(event)
    if event == "open" and isinstance(args[0], str):
        path = os.path.normpath(os.path.join(os.getcwd(), args[0]))
        if not any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in _ALLOWED):
            _forbid("open " + path[:200])

def _stub(name):
    def stub(*args, **kwargs):
        _forbid("os." + name)
    return stub

for _name in ("system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle",
              "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnv",
              "spawnve", "posix_spawn", "posix_spawnp", "kill", "killpg"):
    setattr(os, _name, _stub(_name))
# with os.fork present the library registers fork handlers; no fork ever happens
os.register_at_fork = lambda **kwargs: None
sys.addaudithook(_hook)
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
            status = exc.code
        else:
            try:
                print(exc.code, file=_sys.stderr)
            except BaseException:
                pass
            status = 1
    except BaseException as exc:
        exc.__traceback__ = exc.__traceback__.tb_next
        try:
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
