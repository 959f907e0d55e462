"""Python RPyC's discovery against a registry: registry_client.py MODE HOST PORT NAME.

Prints JSON: {"endpoints": [[ip, port], ...], "add": <result of calling add(2, 3) on the first>}.
"""
import json
import sys

import rpyc
from rpyc.utils.registry import TCPRegistryClient, UDPRegistryClient

mode, host, port, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
registrar = (TCPRegistryClient if mode == "tcp" else UDPRegistryClient)(ip=host, port=port)
endpoints = [list(e) for e in rpyc.discover(name, registrar=registrar)]
conn = rpyc.connect_by_service(name, registrar=registrar)
print(json.dumps({"endpoints": endpoints, "add": conn.root.add(2, 3)}))
