"""Python's stock classic client against a JVM classic server: classic_client.py HOST PORT."""
import json
import sys

import rpyc

conn = rpyc.classic.connect(sys.argv[1], int(sys.argv[2]))
out = {"version": conn.modules["java.lang.System"].getProperty("java.version"),
       "eval": conn.eval("1 + 2")}
lst = conn.modules["java.util.ArrayList"]()
for word in ("alpha", "beta", "gamma"):
    lst.add(word)
out["len"] = len(lst)
out["first"] = lst[0]
out["last"] = lst[-1]
out["iterated"] = list(lst)
try:
    conn.modules["java.lang.Integer"].parseInt("not a number")
except Exception as e:
    out["exception_type"] = type(e).__name__
    out["exception_text"] = str(e)
conn.close()
print(json.dumps(out))
