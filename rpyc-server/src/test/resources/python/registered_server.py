"""A Python RPyC server that registers itself: registered_server.py MODE REGHOST REGPORT.

Serves the CALC service on 127.0.0.1 (port printed as "PORT <n>"), registered with the given
registry, until killed.
"""
import sys

import rpyc
from rpyc.utils.registry import TCPRegistryClient, UDPRegistryClient
from rpyc.utils.server import ThreadedServer


class CalcService(rpyc.Service):
    def exposed_add(self, a, b):
        return a + b


mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
registrar = (TCPRegistryClient if mode == "tcp" else UDPRegistryClient)(ip=host, port=port)
server = ThreadedServer(CalcService, hostname="127.0.0.1", port=0, registrar=registrar,
                        auto_register=True)
server._listen()  # listen before announcing the port: start() listens only after
print("PORT", server.port, flush=True)
server.start()
