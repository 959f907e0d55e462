package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.server.RpycServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local objects passed to typed proxies arrive as typed proxies on the other side. */
class CallbacksIT {
  private final ServerFixture fixture = new ServerFixture();
  private Calculator calc;

  @BeforeEach
  void start() {
    RpycServer server = fixture.start(TypedService::new);
    Connection conn = fixture.connect(server);
    calc = conn.root(Calculator.class);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aLambda_isCalledBackInTheCallersJvm_whileTheCallWaits() {
    List<String> threads = new ArrayList<>();
    IntUnaryOperator triple =
        x -> {
          threads.add(Thread.currentThread().getName());
          return x * 3;
        };
    assertEquals(18, calc.applyTwice(triple, 2));
    assertEquals(2, threads.size());
    for (String t : threads) {
      assertFalse(t.contains("-io-"), "not on an I/O thread: " + t);
    }
  }

  @Test
  void aCallback_canItselfCallTheRemoteSide() {
    assertEquals("<7>", calc.greet(name -> "<" + calc.add(3, Integer.parseInt(name)) + ">", "4"));
  }

  @Test
  void aListener_withTwoMethods_isStoredAndCalledLater() {
    List<String> events = new ArrayList<>();
    Calculator.Listener listener =
        new Calculator.Listener() {
          @Override
          public void onEvent(String event) {
            events.add(event);
          }

          @Override
          public String name() {
            return "mine";
          }
        };
    calc.register(listener);
    assertEquals(1, calc.fire("started"));
    assertEquals(1, calc.fire("stopped"));
    assertEquals(List.of("started for mine", "stopped for mine"), events);
  }

  @Test
  void aLocalList_passedByReference_isIteratedRemotely() {
    List<Integer> mine = new ArrayList<>(List.of(3, 9, 4));
    assertEquals(9, calc.max(mine));
    assertTrue(mine.size() == 3, "and left as it was");
  }
}
