package io.rpyc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rpyc.RpycConfig.ClientTransport;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client transport: its default, the system property that changes it, and a wrong value. */
class RpycConfigTest {
  private final String saved = System.getProperty("rpyc.clientTransport");

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("rpyc.clientTransport");
    } else {
      System.setProperty("rpyc.clientTransport", saved);
    }
  }

  @Test
  void callerReads_isTheDefault_andTheBuilderChooses() {
    System.clearProperty("rpyc.clientTransport");
    assertEquals(ClientTransport.CALLER_READS, RpycConfig.builder().build().clientTransport());
    RpycConfig c = RpycConfig.builder().clientTransport(ClientTransport.EVENT_LOOP).build();
    assertEquals(ClientTransport.EVENT_LOOP, c.clientTransport());
    assertEquals(ClientTransport.EVENT_LOOP, c.toBuilder().build().clientTransport());
  }

  @Test
  void theSystemProperty_changesTheDefault_inAnyCase() {
    System.setProperty("rpyc.clientTransport", " event_loop ");
    assertEquals(ClientTransport.EVENT_LOOP, RpycConfig.builder().build().clientTransport());
  }

  @Test
  void aWrongValue_isIgnored_notFatal() {
    System.setProperty("rpyc.clientTransport", "carrier-pigeon");
    assertEquals(ClientTransport.CALLER_READS, RpycConfig.builder().build().clientTransport());
  }

  @Test
  void spinWait_defaultsTo50Micros_andTheBuilderOrPropertyChanges() {
    System.clearProperty("rpyc.spinWaitMicros");
    assertEquals(Duration.ofNanos(50_000), RpycConfig.builder().build().spinWait());
    RpycConfig off = RpycConfig.builder().spinWait(Duration.ZERO).build();
    assertEquals(Duration.ZERO, off.toBuilder().build().spinWait());
    assertThrows(
        IllegalArgumentException.class, () -> RpycConfig.builder().spinWait(Duration.ofNanos(-1)));
    assertThrows(
        IllegalArgumentException.class, () -> RpycConfig.builder().spinWait(Duration.ofMillis(11)));
    try {
      System.setProperty("rpyc.spinWaitMicros", " 0 ");
      assertEquals(Duration.ZERO, RpycConfig.builder().build().spinWait());
      System.setProperty("rpyc.spinWaitMicros", "-5"); // reported, then the default
      assertEquals(Duration.ofNanos(50_000), RpycConfig.builder().build().spinWait());
      System.setProperty("rpyc.spinWaitMicros", "lots");
      assertEquals(Duration.ofNanos(50_000), RpycConfig.builder().build().spinWait());
    } finally {
      System.clearProperty("rpyc.spinWaitMicros");
    }
  }
}
