package io.rpyc.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Tuple;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cost table that overload resolution is built on (docs/remote-ref.md). */
class ConversionsTest {
  private static int cost(Object arg, Class<?> param) {
    return Conversions.cost(arg, param, null);
  }

  @Test
  void exactTypes_costNothing() {
    assertEquals(0, cost(1, int.class));
    assertEquals(0, cost((short) 1, short.class));
    assertEquals(0, cost("s", String.class));
    assertEquals(0, cost(new byte[0], byte[].class));
  }

  @Test
  void wideningIsCheap_andNarrowerTargetsWin() {
    assertTrue(cost(1, long.class) > 0);
    assertTrue(cost(1, long.class) < cost(1, double.class));
    assertTrue(cost(1, int.class) < cost(1, Integer.class));
    assertTrue(cost(1, Integer.class) < cost(1, Object.class));
  }

  @Test
  void pythonsUntypedInts_narrowOnlyWhenTheValueFits() {
    assertTrue(cost(100, byte.class) >= 10);
    assertEquals(Conversions.NO, cost(300, byte.class));
    assertTrue(cost(5L, int.class) >= 10);
    assertEquals(Conversions.NO, cost(1L << 40, int.class));
    assertTrue(cost(BigInteger.TEN, long.class) >= 10);
    assertEquals(Conversions.NO, cost(BigInteger.TWO.pow(70), long.class));
  }

  @Test
  void otherConversions() {
    assertEquals(Conversions.NO, cost(1.5, int.class));
    assertTrue(cost(1.5, float.class) >= 10);
    assertTrue(cost("x", char.class) > 0);
    assertEquals(Conversions.NO, cost("xy", char.class));
    assertEquals(Conversions.NO, cost(null, int.class));
    assertEquals(1, cost(null, String.class));
    assertTrue(cost(Tuple.of(1, 2), int[].class) > 0);
    assertEquals(Conversions.NO, cost(Tuple.of(1, "x"), int[].class));
    assertTrue(cost(Tuple.of(1, 2), List.class) > 0);
    assertTrue(cost("SECONDS", java.util.concurrent.TimeUnit.class) > 0);
    assertEquals(Conversions.NO, cost("WEEKS", java.util.concurrent.TimeUnit.class));
  }

  @Test
  void conversionsProduceTheParameterType() {
    assertEquals((byte) 100, Conversions.convert(100, byte.class, null));
    assertEquals(5, Conversions.convert(5L, int.class, null));
    assertEquals('x', Conversions.convert("x", char.class, null));
    assertEquals(1.5f, Conversions.convert(1.5, float.class, null));
    int[] ints = (int[]) Conversions.convert(Tuple.of(1, 2), int[].class, null);
    assertEquals(2, ints[1]);
  }
}
