"""A stock Python RPyC 5.3 ThreadedServer for JVM clients: interop_server.py.

Prints "PORT <n>" once it listens on 127.0.0.1, then serves until killed.
"""
import sys
import threading

import rpyc
from rpyc.utils.server import ThreadedServer


class InteropService(rpyc.Service):
    def exposed_add(self, a, b):
        return a + b

    def exposed_echo(self, x):
        return x

    def exposed_type_name(self, x):
        return type(x).__name__

    def exposed_call(self, fn, x):
        return fn(x)

    def exposed_fail(self, message):
        raise ValueError(message, 42)

    def exposed_items(self, n):
        return list(range(n))

    def exposed_mapping(self):
        return {"a": 1, "b": 2}

    def exposed_join(self, *parts):
        return "-".join(parts)


server = ThreadedServer(InteropService, hostname="127.0.0.1", port=0,
                        protocol_config={"allow_public_attrs": True})
server._listen()  # listen before announcing the port: start() listens only after
print("PORT", server.port, flush=True)
server.start()
