#!/usr/bin/env python3
"""Writes the seed corpora of the @FuzzTests (rpyc-core/src/test/resources/.../*Inputs/).

Run from the repository root: python3 rpyc-core/src/test/fuzz/make_seeds.py
The seeds are committed; rerun this only to change them. It needs nothing but Python 3.

Dispatch seeds name the server's objects symbolically: an id_pack ("", -1, k) means "the object
exported with instance id k" (the root is 1, then 2, 3, ... in export order), ("", -2, k) "the
class of that object, as a class id_pack" -- DispatchFuzzTest resolves them, because real class
ids depend on what the JVM exported before.
"""
import os
import struct
import zlib

ROOT = os.path.join("rpyc-core", "src", "test", "resources", "io", "rpyc", "internal")


class Ref:
    """A symbolic id_pack of the server's (see above)."""

    def __init__(self, iid, cid=-1):
        self.iid, self.cid = iid, cid


def brine(v):
    if v is None:
        return b"\x00"
    if v is True:
        return b"\x03"
    if v is False:
        return b"\x04"
    if v is Ellipsis:
        return b"\x06"
    if v is NotImplemented:
        return b"\x05"
    if isinstance(v, Ref):
        return brine(("", v.cid, v.iid))
    if isinstance(v, int):
        if -48 <= v <= 159:
            return bytes([v + 0x50])
        s = str(v).encode()
        return (b"\x16" + bytes([len(s)]) if len(s) < 256 else b"\x17" + struct.pack(">I", len(s))) + s
    if isinstance(v, float):
        return b"\x18" + struct.pack(">d", v)
    if isinstance(v, complex):
        return b"\x1b" + struct.pack(">dd", v.real, v.imag)
    if isinstance(v, bytes):
        n = len(v)
        if n == 0:
            return b"\x01"
        if n <= 4:
            return bytes([0x0A + n - 1]) + v
        if n < 256:
            return b"\x0e" + bytes([n]) + v
        return b"\x0f" + struct.pack(">I", n) + v
    if isinstance(v, str):
        return b"\x08" + brine(v.encode("utf-8"))
    if isinstance(v, slice):
        return b"\x19" + brine((v.start, v.stop, v.step))
    if isinstance(v, frozenset):
        return b"\x1a" + brine(tuple(v))
    if isinstance(v, tuple):
        n = len(v)
        head = b"\x02" if n == 0 else bytes([0x10 + n - 1]) if n <= 4 else (
            b"\x14" + bytes([n]) if n < 256 else b"\x15" + struct.pack(">I", n))
        return head + b"".join(brine(x) for x in v)
    raise TypeError(type(v))


def frame(payload, compress=False):
    if compress:
        return struct.pack(">IB", len(zlib.compress(payload, 1)), 1) + zlib.compress(payload, 1) + b"\n"
    return struct.pack(">IB", len(payload), 0) + payload + b"\n"


# boxing, as a client sends it
def val(v):
    return (1, v)


def tup(*items):
    return (2, tuple(items))


def local(ref):
    return (3, ref)


def remote(name, cid, iid):
    return (4, (name, cid, iid))


class Session:
    def __init__(self):
        self.seq = 0
        self.out = b""

    def req(self, handler, boxed, compress=False):
        self.out += frame(brine((1, self.seq, (handler, boxed))), compress)
        self.seq += 1
        return self

    def raw(self, data):
        self.out += data
        return self


PING, CLOSE, GETROOT, GETATTR, DELATTR, SETATTR, CALL, CALLATTR, REPR, STR, CMP, HASH, DIR, \
    PICKLE, DEL, INSPECT, BUFFITER, OLDSLICING, CTXEXIT, INSTANCECHECK = range(1, 21)
JAVA_HELLO, JAVA_CALLSIG, JAVA_TYPEINFO, JAVA_OBTAIN = 0x4A56, 0x4A57, 0x4A58, 0x4A59
R = Ref(1)


def callattr(s, target, name, *args):
    return s.req(CALLATTR, tup(local(target), val(name), val(tuple(args)), val(())))


def started():
    return Session().req(GETROOT, val(()))


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- spec section 14, verbatim
def h(s):
    return bytes.fromhex(s.replace(" ", ""))


SPEC = {
    "spec-14.1-getroot": h("00 00 00 08 00 12 51 50 11 53 11 51 02 0a"),
    "spec-14.1-getroot-reply": h("00 00 00 38 00 12 52 50 11 54 12 08 0e 14") + b"__main__.CalcService"
    + h("16 08") + b"53945584" + h("16 0f") + b"139763914070544" + h("0a"),
    "spec-14.1-inspect": h("00 00 00 3b 00 12 51 51 11 60 11 51 10 12 08 0e 14") + b"__main__.CalcService"
    + h("16 08") + b"53945584" + h("16 0f") + b"139763914070544" + h("0a"),
    "spec-14.2-getattr": h("00 00 00 44 00 12 51 52 11 54 11 52 11 11 53 12 08 0e 14") + b"__main__.CalcService"
    + h("16 08") + b"53945584" + h("16 0f") + b"139763914070544" + h("11 51 08 0c") + b"add" + h("0a"),
    "spec-14.2-call": h("00 00 00 3f 00 12 51 53 11 57 11 52 12 11 53 12 08 0e 0f") + b"builtins.method"
    + h("16 07") + b"9783776" + h("16 0f") + b"139763914073792" + h("11 51 11 51 52 11 51 02 0a"),
    "spec-14.2-reply-3": h("00 00 00 06 00 12 52 53 11 51 53 0a"),
    "spec-14.2-del": h("00 00 00 3a 00 12 51 54 11 5f 11 52 11 11 53 12 08 0e 0f") + b"builtins.method"
    + h("16 07") + b"9783776" + h("16 0f") + b"139763914073792" + h("11 51 51 0a"),
    "spec-14.4-callattr-len": h("00 00 00 47 00 12 51 5e 11 58 11 52 13 11 53 12 08 0e 0d") + b"builtins.list"
    + h("16 07") + b"9759744" + h("16 0f") + b"139763920677056" + h("11 51 08 0e 07") + b"__len__"
    + h("11 51 02 11 51 02 0a"),
    "spec-14.5-ping": h("00 00 00 0c 00 12 51 66 11 51 11 51 10 0c 78 79 7a 0a"),
    "spec-14.5-ping-reply": h("00 00 00 09 00 12 52 66 11 51 0c 78 79 7a 0a"),
    "spec-14.5-close": h("00 00 00 08 00 12 51 67 11 52 11 51 02 0a"),
    "spec-14.5-compressed-echo": frame(brine((1, 21, (CALLATTR, tup(local(("__main__.CalcService", 53945584, 139763914070544)),
                                                               val("echo"), val((b"a" * 5000,)), val(()))))), True),
}
SPEC_PAYLOAD_EXTRA = {
    "spec-14.2-echo-args": h("10 14 06 08 0e 06 68 c3 a9 6c 6c 6f 16 0d 31 30 39 39 35 31 31 36 32 37 37 37 36 "
                             "18 3f f8 00 00 00 00 00 00 0b 78 79 00 03"),
    "spec-14.3-exception": brine((3, 9, (("builtins", "ValueError"), ("boom", 42),
                                         (("add_note", "<built-in method add_note of ValueError object at 0x7f1d52dfa140>"),
                                          ("_remote_version", "5.3.0")),
                                         "Traceback (most recent call last):\n  File \"protocol.py\", line 1\nValueError: boom\n"))),
    "spec-14.3-stop-iteration": h("12 53 59 51"),
}


def payload_of(f):
    length, flag = struct.unpack(">IB", f[:5])
    p = f[5:5 + length]
    return zlib.decompress(p) if flag else p


# ---------------------------------------------------------------- brine values
brine_dir = os.path.join(ROOT, "codec", "BrineReaderFuzzTestInputs", "readsAValueOrRefusesIt")
values = {
    "none": None, "true": True, "false": False, "ellipsis": Ellipsis, "notimpl": NotImplemented,
    "small-ints": tuple(range(-48, 160, 7)), "big-ints": (160, -49, 2 ** 63, -(2 ** 63) - 1, 10 ** 100),
    "float": 1.5, "complex": 1.5 - 2j, "empty-bytes": b"", "bytes-1-4": (b"a", b"ab", b"abc", b"abcd"),
    "bytes-short": b"x" * 200, "bytes-long": b"y" * 300, "str-ascii": "add", "str-utf8": "h\u00e9llo \u20ac \U0001F600",
    "str-empty": "", "tuples": ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), tuple(range(5)), tuple(range(300))),
    "nested": ((((((((1,),),),),),),),), "slice": slice(1, None, 2), "frozenset": frozenset({1, 2, "a"}),
    "id-pack": ("io.rpyc.Example", 12, 34), "message": (1, 0, (3, (1, ()))),
}
for name, v in values.items():
    write(brine_dir, name, brine(v))
for name, f in SPEC.items():
    write(brine_dir, name, payload_of(f))
for name, p in SPEC_PAYLOAD_EXTRA.items():
    write(brine_dir, name, p)
# extension tags and hand-made forms the writer never uses
ext = {
    "ext-int": h("f0 7f ff ff ff"), "ext-long": h("f1 80 00 00 00 00 00 00 00"), "ext-short": h("f2 12 34"),
    "ext-byte": h("f3 80"), "ext-char": h("f4 00 e9"), "ext-float": h("f5 3f c0 00 00"),
    "ext-bigint": h("f6 00 00 00 03 01 00 00"), "ext-bigdec": h("f7 00 00 00 02 00 00 00 02 30 39"),
    "long-form-str": h("08 0f 00 00 00 03") + b"abc", "long-form-tuple": h("15 00 00 00 02 50 51"),
    "int-plus-sign": h("16 02 2b 35"), "int-long-form": h("17 00 00 00 03 31 32 33"),
    "bad-tag": h("07"), "bad-utf8": h("08 0b c3 28"), "huge-tuple-count": h("15 7f ff ff ff 50"),
    "huge-bytes-length": h("0f ff ff ff ff"), "deep": b"\x10" * 80 + b"\x00", "int-no-digits": h("16 01 2d"),
    "huge-bigdec-scale": h("f7 80 00 00 00 00 00 00 01 01"),
}
for name, data in ext.items():
    write(brine_dir, name, data)

# ---------------------------------------------------------------- frame streams
frame_dir = os.path.join(ROOT, "codec", "FrameDecoderFuzzTestInputs", "decodesFramesOrRefusesTheStream")
for name, f in SPEC.items():
    write(frame_dir, name, f)
write(frame_dir, "spec-14-stream", b"".join(SPEC.values()))
write(frame_dir, "empty-payload-then-ping", frame(b"") + SPEC["spec-14.5-ping"])
write(frame_dir, "compressed-small", frame(brine((2, 7, (1, "tiny"))), True))
write(frame_dir, "chain-envelope", frame(brine((1, 5, (1, val((b"x",))), 123456789))))
BOMB = zlib.compress(b"\0" * (1 << 20), 9)  # 1 KiB inflating to 1 MiB, beyond the fuzz limit
write(frame_dir, "zlib-bomb", struct.pack(">IB", len(BOMB), 1) + BOMB + b"\n")
write(frame_dir, "truncated-zlib", struct.pack(">IB", 4, 1) + h("78 01 ed d0") + b"\n")
write(frame_dir, "oversized-header", h("7f ff ff ff 00 12 51 50"))
write(frame_dir, "rpyc6-payload", frame(h("01 11 50 11 53 11 51 02")))
write(frame_dir, "bad-message-type", frame(h("12 59 50 00")))
write(frame_dir, "trailing-bytes", frame(h("12 52 50 11 51 00 00")))
write(frame_dir, "not-a-tuple", frame(h("50")))

# ---------------------------------------------------------------- dispatch sessions
# FuzzService (rpyc-core tests): add, echo, list, map, widget, widgetType, callBack, fail, text,
# plus non-exposed traps. After GETROOT the root is Ref(1).
disp_dir = os.path.join(ROOT, "protocol", "DispatchFuzzTestInputs", "servesOrRefusesEveryRequest")
sessions = {
    "ping": Session().req(PING, val((b"xyz",))),
    "getroot": started(),
    "getattr-then-call": started().req(GETATTR, tup(local(R), val("add"))).req(CALL, tup(local(Ref(2)), val((1, 2)), val(()))),
    "callattr-add": callattr(started(), R, "add", 1, 2),
    "list-protocol": callattr(callattr(callattr(callattr(started(), R, "list"), Ref(2), "__len__"), Ref(2), "__getitem__", 1),
                              Ref(2), "__iter__").req(BUFFITER, tup(local(Ref(3)), val(10))),
    "map": callattr(callattr(started(), R, "map"), Ref(2), "__getitem__", "k"),
    "widget": callattr(callattr(started(), R, "widget"), Ref(2), "describe"),
    "setattr-delattr": started().req(SETATTR, tup(local(R), val("counter"), val(5))).req(DELATTR, tup(local(R), val("counter"))),
    "repr-str-hash-dir": started().req(REPR, tup(local(R))).req(STR, tup(local(R))).req(HASH, tup(local(R))).req(DIR, tup(local(R))),
    "cmp": started().req(CMP, tup(local(R), local(R), val("__eq__"))).req(CMP, tup(local(R), val(1))),
    "pickle": started().req(PICKLE, tup(local(R), val(4))),
    "del": callattr(started(), R, "widget").req(DEL, tup(local(Ref(2)), val(1))).req(DEL, tup(local(Ref(2)), val(1))),
    "inspect": started().req(INSPECT, val((Ref(1),))),
    "oldslicing": callattr(started(), R, "list").req(OLDSLICING, tup(local(Ref(2)), val("__getitem__"), val("__getslice__"), val(0), val(2), val(()))),
    "ctxexit": callattr(started(), R, "widget").req(CTXEXIT, tup(local(Ref(2)), val(None))),
    # a class is exported with instance id 0, so the widget after it is Ref(2)
    "instancecheck": callattr(callattr(started(), R, "widgetType"), R, "widget").req(INSTANCECHECK, tup(local(Ref(0)), val(Ref(2)))),
    "java-hello": Session().req(JAVA_HELLO, val(("rpyc-java", 1, ("types", "chain"), 1 << 20))),
    "java-callsig": started().req(JAVA_CALLSIG, tup(local(R), val("add"), val(("int", "int")), val((1, 2)), val(0))),
    "java-typeinfo-obtain": callattr(started(), R, "list").req(JAVA_TYPEINFO, tup(local(Ref(2)))).req(JAVA_OBTAIN, tup(local(Ref(2)))),
    "callback": started().req(CALLATTR, tup(local(R), val("callBack"), tup(remote("builtins.function", 1, 1001), val(2)), val(()))),
    "remote-ref-target": Session().req(HASH, tup(remote("builtins.list", 5, 6))),
    "fail": callattr(started(), R, "fail", "boom"),
    "guessed-class-id": callattr(started(), Ref(1, -2), "add", 1, 2),
    "unknown-handler": Session().req(99, val(())),
    "wrong-arity": started().req(GETATTR, tup(local(R))),
    "close": started().req(CLOSE, val(())),
    "compressed-request": started().req(CALLATTR, tup(local(R), val("echo"), val(("z" * 4000,)), val(())), compress=True),
    "reply-and-exception-from-client": Session().raw(SPEC["spec-14.2-reply-3"]).raw(frame(SPEC_PAYLOAD_EXTRA["spec-14.3-exception"])),
    "spec-14-stream": Session().raw(b"".join(SPEC.values())),
}
for name, s in sessions.items():
    write(disp_dir, name, s.out)
print("seeds written under", ROOT)
