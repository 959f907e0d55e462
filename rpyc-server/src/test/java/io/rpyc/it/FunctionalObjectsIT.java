package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Exposed;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.Rpyc;
import io.rpyc.Service;
import io.rpyc.internal.protocol.DynamicAttributes;
import io.rpyc.server.RpycServer;
import java.util.Collection;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calling objects whose interfaces extend a functional interface; attributes objects answer. */
public class FunctionalObjectsIT {
  /** A functional interface extending another: its class names the same method twice. */
  public interface Doubler extends IntUnaryOperator {}

  /** Answers {@code x_<n>} attributes itself. */
  public static final class Numbers implements DynamicAttributes {
    @Override
    public Object dynamicAttribute(String name) {
      return name.startsWith("x_") ? Integer.parseInt(name.substring(2)) : NOT_FOUND;
    }

    @Override
    public Collection<String> dynamicAttributeNames() {
      return List.of("x_1", "x_2");
    }

    public String plain() {
      return "plain";
    }
  }

  /** Both a Runnable and a Callable: calling it runs the one that returns a value. */
  public static final class Job implements Runnable, java.util.concurrent.Callable<String> {
    @Override
    public void run() {}

    @Override
    public String call() {
      return "called";
    }
  }

  /** Serves the objects above. */
  public static final class FunctionalService extends Service {
    @Exposed
    public Doubler doubler() {
      return x -> 2 * x;
    }

    @Exposed
    public Job job() {
      return new Job();
    }

    @Exposed
    public Numbers numbers() {
      return new Numbers();
    }
  }

  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void anObjectOfASubInterfaceOfAFunctionalInterface_isCallable() {
    RpycServer server = fixture.start(FunctionalService::new);
    Connection conn = fixture.connect(server);
    RemoteRef doubler = Rpyc.ref(conn.root().call("doubler"));
    assertEquals(42, doubler.invoke(21));
  }

  @Test
  void anObjectOfTwoFunctionalInterfaces_isCallable_preferringTheOneWithAResult() {
    RpycServer server = fixture.start(FunctionalService::new);
    Connection conn = fixture.connect(server);
    RemoteRef job = Rpyc.ref(conn.root().call("job"));
    assertEquals("called", job.invoke());
  }

  @Test
  void dynamicAttributes_answerFirst_andFallThroughToTheAccessRule() {
    RpycServer server = fixture.start(FunctionalService::new);
    Connection conn = fixture.connect(server);
    RemoteRef numbers = Rpyc.ref(conn.root().call("numbers"));
    assertEquals(7, numbers.getAttr("x_7"));
    assertEquals("plain", numbers.call("plain"));
    assertTrue(numbers.dir().containsAll(List.of("x_1", "x_2", "plain")), numbers.dir()::toString);
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> numbers.getAttr("missing"));
    assertEquals("builtins.AttributeError", e.remoteType());
  }
}
