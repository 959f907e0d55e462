package io.rpyc.internal.protocol;

import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Service;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The service {@link DispatchFuzzTest} serves: a few exposed members that hand out ordinary
 * objects, and traps — members no peer may reach — that record it if they ever run.
 *
 * <p>Returned collections are immutable on purpose: a mutable list lets any peer double it with
 * {@code addAll(itself)}, which is the service's choice to allow, not a protocol flaw (see
 * docs/security.md), and would only make the fuzzer find an out-of-memory.
 */
public class FuzzService extends Service {
  /** What reached a trap; must stay empty. */
  public static final Queue<String> BREACHES = new ConcurrentLinkedQueue<>();

  @Exposed public int counter = 1;

  @Exposed
  public int add(int a, int b) {
    return a + b;
  }

  @Exposed
  public Object echo(Object value) {
    return value;
  }

  @Exposed
  public List<String> list() {
    return List.of("a", "b", "c");
  }

  @Exposed
  public Map<String, Integer> map() {
    return Map.of("k", 1);
  }

  @Exposed
  public Widget widget() {
    return new Widget(Widget.LICENSED);
  }

  /** A class object on purpose: the access rule must keep it inert. */
  @Exposed
  public Class<?> widgetType() {
    return Widget.class;
  }

  @Exposed
  public Object callBack(RemoteRef fn, Object x) {
    return fn.invoke(x);
  }

  @Exposed
  public void fail(String message) {
    throw new IllegalStateException(message);
  }

  public void trap() {
    BREACHES.add("FuzzService.trap");
  }

  public static void staticTrap() {
    BREACHES.add("FuzzService.staticTrap");
  }

  /** Never handed out: a peer holding a reference to one has escaped. */
  public static final class Secret {}

  private final Secret privateSecret = new Secret();
  public Secret publicSecret = privateSecret;

  /** A user object: some exposed members, a public method and field that are not. */
  public static class Widget implements AutoCloseable, Comparable<Widget> {
    static final Object LICENSED = new Object();

    @Exposed public int size = 3;
    public Secret secret = new Secret();
    private final Secret hidden = new Secret();
    private boolean closed;

    /** Only the service makes widgets: a peer reaching this constructor has escaped. */
    public Widget(Object license) {
      if (license != LICENSED) {
        BREACHES.add("Widget constructor");
      }
    }

    @Exposed
    public String describe() {
      return "widget of " + size;
    }

    @Exposed
    public int twice(int x) {
      return 2 * x;
    }

    public void trap() {
      BREACHES.add("Widget.trap");
    }

    public static void staticTrap() {
      BREACHES.add("Widget.staticTrap");
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public int compareTo(Widget o) {
      return Integer.compare(size, o.size);
    }

    @Override
    public String toString() {
      return "Widget(" + size + (closed ? ", closed" : "") + (hidden == null ? "" : "") + ")";
    }
  }
}
