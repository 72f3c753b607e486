"""Block the network for every Python process the tests start (kernels included).

``make test`` puts this folder on PYTHONPATH, so Python imports this module at start-up.
Connections to loopback and Unix sockets stay allowed (Jupyter kernels talk over them);
anything else raises at once, so a notebook that tries to download fails loudly
instead of passing on a machine that happens to be online.
"""

import os
import socket

if os.environ.get("EMBEDLAB_OFFLINE") == "1":
    _LOCAL = ("127.", "::1", "localhost", "0.0.0.0")
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex
    _getaddrinfo = socket.getaddrinfo

    def _is_local(address) -> bool:
        if isinstance(address, (str, bytes)):  # AF_UNIX path
            return True
        host = str(address[0]) if address else ""
        return host.startswith(_LOCAL) or host == ""

    def _refuse(address):
        raise OSError(f"network access is disabled for the course's tests (tried to reach {address!r})")

    def connect(self, address):
        if not _is_local(address):
            _refuse(address)
        return _connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            _refuse(address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_local((host,)):
            _refuse(host)
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
