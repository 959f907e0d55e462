"""A stock Python RPyC 5.3 client driving a JVM service: interop_client.py HOST PORT CASE.

Prints one JSON object: {"ok": true, ...details} or {"ok": false, "error": "..."}; exits 0 either way
unless Python itself breaks. The JVM test asserts on the details.
"""
import json
import pickle
import random
import sys
import traceback

import rpyc


def run(case, root):
    if case == "add":
        return {"add": root.add(1, 2), "prefixed": root.exposed_add(3, 4), "alias": root.get_answer(),
                "name": root.get_service_name(), "aliases": list(root.get_service_aliases())}
    if case == "exposed_prefix":
        return {"greet": root.greet("py"), "full": root.exposed_greet("py")}
    if case == "types":
        values = ["héllo", b"\x00\xff", 1.5, 2 ** 100, -7, 2 ** 40, (1, "a", None), None, True, ""]
        back = [root.echo(v) for v in values]
        return {"same": [b == v and type(b) is type(v) for b, v in zip(back, values)],
                "java": [root.type_of(v) for v in values]}
    if case == "large":  # frames the JVM receives and sends in chunks, zlib-compressed on the wire
        noise = random.Random(9).randbytes(3 << 20)
        zeros = bytes(2 << 20)
        text = "\u00e9\u20ac\U0001d11e " * 100_000
        return {"noise": root.echo(noise) == noise, "zeros": root.echo(zeros) == zeros,
                "text": root.echo(text) == text}
    if case == "callback":
        return {"result": root.call_back(lambda x: x * 2, 21)}
    if case == "list":
        sq = root.squares(5)
        return {"len": len(sq), "item": sq[2], "last": sq[-1], "all": list(sq), "contains": 9 in sq,
                "missing": 7 in sq, "str": str(sq)}
    if case == "map":
        ages = root.ages()
        return {"len": len(ages), "ann": ages["ann"], "keys": sorted(ages), "has": "bob" in ages}
    if case == "exception":
        try:
            root.fail("boom")
        except Exception as e:
            return {"type": type(e).__name__, "text": str(e)}
        return {"type": None}
    if case == "refused":
        out = {"has_secret": hasattr(root, "secret"), "has_add": hasattr(root, "add")}
        try:
            root.getClass()
        except AttributeError as e:
            out["getClass"] = str(e).splitlines()[0]
        return out
    if case == "kwargs":
        try:
            root.add(a=1, b=2)
        except Exception as e:
            return {"type": type(e).__name__, "text": str(e).splitlines()[0]}
        return {"type": None}
    if case == "pickle":
        try:
            pickle.dumps(root.squares(2))
        except Exception as e:
            return {"type": type(e).__name__, "text": str(e).splitlines()[0]}
        return {"type": None}
    if case == "then_add":  # after the failures above, the connection still works
        return {"add": root.add(20, 22)}
    raise ValueError("unknown case " + case)


def at_capacity(host, port):
    """A server at its connection cap: the first request fails with the server's reason."""
    conn = rpyc.connect(host, port)
    try:
        conn.root.add(1, 1)
    except Exception as e:
        out = {"type": type(e).__name__, "refused": isinstance(e, ConnectionRefusedError),
               "text": str(e)}
    else:
        return {"type": None}
    try:
        conn.root.add(1, 1)
        out["afterwards"] = "answered"
    except Exception as e:  # the server has closed the connection
        out["afterwards"] = type(e).__name__
    return out


def main():
    host, port, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if case == "at_capacity":
        try:
            result = at_capacity(host, port)
            result["ok"] = True
        except Exception:
            result = {"ok": False, "error": traceback.format_exc()}
        print(json.dumps(result))
        return
    try:
        conn = rpyc.connect(host, port)
        result = run(case, conn.root)
        if case != "then_add":
            result["after"] = conn.root.add(1, 1)
        conn.close()
        result["ok"] = True
    except Exception:
        result = {"ok": False, "error": traceback.format_exc()}
    print(json.dumps(result))


main()
