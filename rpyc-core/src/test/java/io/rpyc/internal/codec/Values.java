package io.rpyc.internal.codec;

import io.rpyc.PyValue;
import io.rpyc.Tuple;
import java.util.ArrayList;
import java.util.List;

/** Decoded brine values in a form whose {@code equals} compares contents (byte arrays too). */
final class Values {
  private Values() {}

  static Object normalize(Object v) {
    if (v instanceof byte[]) {
      return "bytes:" + io.netty.buffer.ByteBufUtil.hexDump((byte[]) v);
    }
    if (v instanceof Tuple) {
      List<Object> out = new ArrayList<>();
      for (Object item : (Tuple) v) {
        out.add(normalize(item));
      }
      return out;
    }
    if (v instanceof PyValue.FrozenSet) {
      List<Object> out = new ArrayList<>();
      out.add("frozenset");
      for (Object item : ((PyValue.FrozenSet) v).items()) {
        out.add(normalize(item));
      }
      return out;
    }
    if (v instanceof PyValue.Slice) {
      PyValue.Slice s = (PyValue.Slice) v;
      return List.of(
          "slice",
          String.valueOf(normalize(s.start())),
          String.valueOf(normalize(s.stop())),
          String.valueOf(normalize(s.step())));
    }
    return v;
  }
}
