# The Python RPyC 5.3 server of bin/rpyc-bench: the same operations as BenchService.java.
# Prints "READY <port>" once listening; exits when its standard input closes.
import logging
import os
import sys
import threading

import rpyc
from rpyc.utils.server import ThreadedServer


class BenchService(rpyc.Service):
    def on_connect(self, conn):
        self._conn = conn

    def exposed_add(self, a, b):
        return a + b

    def exposed_echo(self, data):
        return data

    def exposed_items(self, n):
        return list(range(n))

    def exposed_newObject(self):
        return object()

    def exposed_exportedObjects(self):
        return len(self._conn._local_objects._dict)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


logging.basicConfig(level=logging.WARNING)
server = ThreadedServer(BenchService, hostname="127.0.0.1", port=0,
                        logger=logging.getLogger("bench"))
server._listen()  # accept connections before announcing the port (start() listens too late)
print("READY", server.port, flush=True)
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
server.start()
