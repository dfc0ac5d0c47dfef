"""What a process carries besides its folder, environment and streams, and must match.

A command run by the daemon must behave as it would alone, so the daemon's copy takes
on what the command's process had: its umask, resource limits (a file size limit, say),
CPU affinity (which sets the default number of jobs), niceness and the signals it
ignores. What a copy cannot take on it must already share with the command, or the
command runs alone: the root folder and the Linux namespaces (a container, a private
mount), the capabilities, seccomp filter, security label and cgroup, the group ids, the
scheduling policy and OOM score, the libraries the loader preloads, and what Python's
start-up made of the command's environment (``sys.path`` past its first entry,
``sys.flags``, warning options). The I/O priority (``ionice``) is not compared: Python
cannot read it.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from typing import Any

_LIMITS = {
    name: getattr(resource, name)
    for name in (
        "RLIMIT_AS",
        "RLIMIT_CORE",
        "RLIMIT_CPU",
        "RLIMIT_DATA",
        "RLIMIT_FSIZE",
        "RLIMIT_NOFILE",
        "RLIMIT_NPROC",
        "RLIMIT_STACK",
    )
    if hasattr(resource, name)
}
_RELAYED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
"""The signals a command relays to its copy, unless it ignores them (``nohup``)."""
_PRIVILEGES = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")
_NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts")
_SHARED = (
    "loader",
    "scheduler",
    "root",
    "namespaces",
    "privileges",
    "gid",
    "egid",
    "groups",
    "path",
    "flags",
    "warnings",
)
"""What the daemon must share with the command."""


def capture() -> dict[str, Any]:
    """The context of the running process, as JSON data."""
    umask = os.umask(0o022)
    os.umask(umask)
    root = os.stat("/")
    namespaces = {}
    for name in _NAMESPACES:
        try:
            namespaces[name] = os.stat(f"/proc/self/ns/{name}").st_ino
        except OSError:
            continue
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "umask": umask,
        "limits": {name: list(resource.getrlimit(code)) for name, code in _LIMITS.items()},
        "affinity": affinity,
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "root": [root.st_dev, root.st_ino],
        "namespaces": namespaces,
        "gid": os.getgid(),
        "egid": os.getegid(),
        "groups": sorted(os.getgroups()),
        "path": sys.path[1:],
        "flags": list(sys.flags),
        "warnings": list(sys.warnoptions),
        "privileges": _privileges(),
        "ignored": ignored_signals(),
        # What the dynamic loader and the scheduler made of the process at its start
        # (``faketime`` and ``eatmydata`` preload a library; ``chrt`` and an OOM score
        # are kept by a fork): a copy of the daemon has the daemon's.
        "loader": [os.environ.get(name, "") for name in ("LD_PRELOAD", "LD_LIBRARY_PATH")],
        "scheduler": _scheduler(),
    }


def _scheduler() -> list[str]:
    """The scheduling policy and priority, and the OOM score (Linux)."""
    found = []
    if hasattr(os, "sched_getscheduler"):
        try:
            policy = os.sched_getscheduler(0)
            found.append(f"{policy}:{os.sched_getparam(0).sched_priority}")
        except OSError:
            found.append("?")
    try:
        with open("/proc/self/oom_score_adj", "rb") as source:
            found.append(source.read().decode("ascii", "replace").strip())
    except OSError:
        found.append("")
    return found


def ignored_signals() -> list[str]:
    """The names of the relayed signals this process ignores."""
    return [name for name in _RELAYED if signal.getsignal(getattr(signal, name)) is signal.SIG_IGN]


def _privileges() -> dict[str, str]:
    """Capabilities, ``no_new_privs``, seccomp, the security label and the cgroup (Linux).

    A sandbox that drops them without a namespace of its own (``setpriv``, a seccomp
    filter, a memory-limited cgroup) must not be left by handing the command to a
    daemon that has them. Landlock leaves no trace to compare: docs/security.md says so.
    """
    found: dict[str, str] = {}
    try:
        with open("/proc/self/status", encoding="utf-8", errors="replace") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in _PRIVILEGES:
                    found[key] = value.strip()
    except OSError:
        pass
    for key, path in (("label", "/proc/self/attr/current"), ("cgroup", "/proc/self/cgroup")):
        try:
            with open(path, "rb") as source:
                found[key] = source.read().decode("utf-8", "replace")
        except OSError:
            continue
    return found


def mismatch(theirs: object, ours: dict[str, Any]) -> str | None:
    """Why a command with context ``theirs`` cannot run in a copy of this process."""
    if not isinstance(theirs, dict):
        return "the request has no process context"
    for key in _SHARED:
        if theirs.get(key) != ours[key]:
            return f"the daemon's {key} and the command's are not the same"
    return None


def adopt(theirs: dict[str, Any]) -> str | None:
    """Take on the command's umask, limits, affinity and niceness; why not, if it fails."""
    try:
        os.umask(int(theirs["umask"]))
        for name, (soft, hard) in dict(theirs["limits"]).items():
            code = _LIMITS.get(name)
            if code is not None and resource.getrlimit(code) != (soft, hard):
                resource.setrlimit(code, (int(soft), int(hard)))
        affinity = theirs["affinity"]
        if affinity is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, [int(cpu) for cpu in affinity])
        nice = int(theirs["nice"])
        if os.getpriority(os.PRIO_PROCESS, 0) != nice:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return f"cannot take on the command's process context: {exc}"
    return None
