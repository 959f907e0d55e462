package io.rpyc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rpyc.RpycConfig.ClientTransport;
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
}
