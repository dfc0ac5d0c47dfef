"""The messages between the ``corpuslint`` command and the daemon.

A request is one frame: 4 bytes of length (big-endian) and a JSON object; with a
``run`` request the command's standard input, output and error travel beside the first
bytes as ``SCM_RIGHTS`` descriptors. The daemon answers with JSON objects, one per line:
``{"pid": N}`` when the forked copy starts the command, then ``{"exit": STATUS}``; or
``{"fallback": REASON}`` when the command should run itself instead. Nothing is ever
unpickled or evaluated: a message is data.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
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


def send_request(sock: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
    """Send a request frame, with ``fds`` beside its first bytes."""
    frame = encode(message)
    sent = socket.send_fds(sock, [frame], fds) if fds else sock.send(frame)
    sock.sendall(frame[sent:])


def receive_request(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """Read one request frame and the descriptors that came with it."""
    data, fds, _flags, _address = socket.recv_fds(sock, 1 << 16, 3)
    try:
        while len(data) < _HEADER.size:
            more = sock.recv(_HEADER.size - len(data))
            if not more:
                raise ProtocolError("the request was cut short")
            data += more
        (length,) = _HEADER.unpack_from(data)
        if length > MAX_REQUEST:
            raise ProtocolError(f"a request of {length} bytes is too large")
        body = bytearray(data[_HEADER.size :])
        while len(body) < length:
            more = sock.recv(min(1 << 20, length - len(body)))
            if not more:
                raise ProtocolError("the request was cut short")
            body += more
        message = decode(bytes(body[:length]))
    except BaseException:
        for fd in fds:
            os_close(fd)
        raise
    return message, fds


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
