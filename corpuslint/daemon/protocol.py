"""The messages between the ``corpuslint`` command and the daemon.

A request is one frame: 4 bytes of length (big-endian) and a JSON object. The daemon
answers with JSON objects, one per line. To a ``run`` request, the forked copy that is
to run the command answers ``{"ready": PID}``; the command then hands over its standard
input, output and error as ``SCM_RIGHTS`` descriptors beside one byte, and the copy
answers ``{"exit": STATUS}`` when the command is done. Instead of ``ready``, the daemon
or the copy may answer ``{"fallback": REASON}``: the command then runs itself. Nothing
is ever unpickled or evaluated: a message is data.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import time
from typing import Any

MAX_REQUEST = 64 << 20
"""The largest request the daemon reads (a command line of many file names)."""
_HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """A message that is cut short, too large or not a JSON object."""


def encode(message: dict[str, Any]) -> bytes:
    """One request frame."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogateescape"
    )
    return _HEADER.pack(len(body)) + body


def send_request(sock: socket.socket, message: dict[str, Any]) -> None:
    """Send a request frame."""
    sock.sendall(encode(message))


def receive_request(sock: socket.socket, seconds: float) -> dict[str, Any]:
    """Read one request frame within ``seconds``.

    Raises ``TimeoutError`` (an ``OSError``) when the whole frame takes longer, and
    :class:`ProtocolError` when it is cut short, too large or not a JSON object.
    """
    deadline = time.monotonic() + seconds
    data = b""
    while len(data) < _HEADER.size:
        data += _more(sock, _HEADER.size - len(data), deadline)
    (length,) = _HEADER.unpack_from(data)
    if length > MAX_REQUEST:
        raise ProtocolError(f"a request of {length} bytes is too large")
    body = bytearray()
    while len(body) < length:
        body += _more(sock, min(1 << 20, length - len(body)), deadline)
    return decode(bytes(body))


def _more(sock: socket.socket, size: int, deadline: float) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the request took too long")
    sock.settimeout(left)
    more = sock.recv(size)
    if not more:
        raise ProtocolError("the request was cut short")
    return more


STREAMS = b"S"
"""The byte that carries the command's standard streams as ``SCM_RIGHTS``."""


def send_streams(sock: socket.socket, fds: list[int]) -> None:
    """Hand over the standard streams (descriptors 0, 1 and 2) to the daemon's copy."""
    socket.send_fds(sock, [STREAMS], fds)


def receive_streams(sock: socket.socket, seconds: float) -> list[int]:
    """The three descriptors the command hands over, within ``seconds``."""
    sock.settimeout(seconds)
    data, fds, _flags, _address = socket.recv_fds(sock, 1, 3)
    if data != STREAMS or len(fds) != 3:
        for fd in fds:
            os_close(fd)
        raise ProtocolError("the command did not hand over its three standard streams")
    return fds


def decode(body: bytes) -> dict[str, Any]:
    """A JSON object from its UTF-8 bytes."""
    try:
        message = json.loads(body.decode("utf-8", "surrogateescape"))
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    return message


def answer(sock: socket.socket, message: dict[str, Any]) -> None:
    """Send one answer line."""
    sock.sendall(json.dumps(message).encode("ascii") + b"\n")


def os_close(fd: int) -> None:
    """Close a received descriptor, ignoring one that is already closed."""
    with contextlib.suppress(OSError):
        os.close(fd)


def same_user(sock: socket.socket) -> bool:
    """Whether the process at the other end runs as this user.

    Where the system cannot say (no ``SO_PEERCRED``), the socket folder's mode 0700
    already keeps other users out.
    """
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    credentials = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())
