package io.rpyc.registry.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rpyc.Endpoint;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** curator-x-discovery's instance JSON, without Jackson. */
class ServiceInstanceJsonTest {

  @Test
  void whatWeWrite_isWhatCuratorWrites_andReadsBack() {
    byte[] json = ServiceInstanceJson.write("CALC", "id-1", "10.0.0.7", 18861, 1700000000000L);
    assertEquals(
        "{\"name\":\"CALC\",\"id\":\"id-1\",\"address\":\"10.0.0.7\",\"port\":18861,"
            + "\"sslPort\":null,\"payload\":null,\"registrationTimeUTC\":1700000000000,"
            + "\"serviceType\":\"DYNAMIC\",\"uriSpec\":null}",
        new String(json, StandardCharsets.UTF_8));
    assertEquals(new Endpoint("10.0.0.7", 18861), ServiceInstanceJson.read(json));
  }

  @Test
  void instancesOfOtherCuratorPrograms_areRead_withoutTouchingTheirPayload() {
    String curator =
        "{ \"name\" : \"calc\", \"id\" : \"x\", \"address\" : \"h\\u00e9\", \"port\" : 5,"
            + " \"sslPort\" : 6, \"payload\" : {\"@class\" : \"com.evil.Gadget\", \"a\" : [1, 2.5e3,"
            + " true, null, \"\\\"q\\\"\"]}, \"registrationTimeUTC\" : 1, \"serviceType\" :"
            + " \"DYNAMIC\", \"uriSpec\" : {\"parts\" : []} }";
    assertEquals(
        new Endpoint("hé", 5), ServiceInstanceJson.read(curator.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void quotesAndControlCharacters_areEscaped() {
    byte[] json = ServiceInstanceJson.write("A\"B", "i\\d", "h\n", 1, 0);
    assertEquals(new Endpoint("h\n", 1), ServiceInstanceJson.read(json));
  }

  @Test
  void anythingElse_isRejected() {
    String[] bad = {
      "",
      "null",
      "[]",
      "{",
      "{\"address\":\"h\"}",
      "{\"address\":\"h\",\"port\":\"5\"}",
      "{\"address\":\"h\",\"port\":0}",
      "{\"address\":\"h\",\"port\":70000}",
      "{\"address\":\"h\",\"port\":5} x",
      "{\"address\":\"h\",\"port\":5,}",
      "{\"a\":tru}",
      "[".repeat(100)
    };
    for (String json : bad) {
      assertThrows(
          IllegalArgumentException.class,
          () -> ServiceInstanceJson.read(json.getBytes(StandardCharsets.UTF_8)),
          json);
    }
  }
}
