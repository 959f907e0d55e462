package io.rpyc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one side of a connection offers the other: the <em>root</em> object the peer gets from
 * {@link Connection#root()}. Subclass it and mark what the peer may use with {@link Exposed} (or
 * name members {@code exposed_*}); nothing else of the class is visible to the peer.
 *
 * <pre>{@code
 * public class CalcService extends Service {
 *   @Exposed public int add(int a, int b) { return a + b; }
 *
 *   @Override public void onConnect(Connection conn) { log.info("hello {}", conn); }
 * }
 * }</pre>
 *
 * <p>A server creates one instance per connection by default, so fields hold per-connection state;
 * an instance shared between connections must be thread-safe. Exposed methods run on worker
 * threads, never on an I/O thread, and may be called concurrently by several peer threads.
 *
 * <p>Every service also answers RPyC's {@code get_service_name()} and {@code
 * get_service_aliases()}.
 */
public abstract class Service {
  /** Creates the service. */
  protected Service() {}

  /**
   * Called once the connection is established, before any request of the peer is served. May make
   * remote calls. Runs on a worker thread.
   */
  public void onConnect(Connection connection) {}

  /** Called after the connection closed; no remote calls are possible any more. */
  public void onDisconnect(Connection connection) {}

  /** The service's name: the first of its {@linkplain #aliasesOf aliases}. */
  @Exposed("get_service_name")
  public String getServiceName() {
    return aliasesOf(getClass()).get(0);
  }

  /** The service's aliases, as a tuple (what RPyC's peers expect). */
  @Exposed("get_service_aliases")
  public Tuple getServiceAliases() {
    return Tuple.copyOf(aliasesOf(getClass()));
  }

  /**
   * The registry names of a service class, upper-cased: its {@link ServiceAliases}, or else its
   * simple name with a trailing {@code SERVICE} removed (RPyC's rule).
   */
  public static List<String> aliasesOf(Class<? extends Service> type) {
    ServiceAliases annotation = type.getAnnotation(ServiceAliases.class);
    List<String> names = new ArrayList<>();
    if (annotation != null && annotation.value().length > 0) {
      for (String alias : annotation.value()) {
        names.add(alias.toUpperCase(Locale.ROOT));
      }
    } else {
      String name = type.getSimpleName().toUpperCase(Locale.ROOT);
      if (name.endsWith("SERVICE") && name.length() > "SERVICE".length()) {
        name = name.substring(0, name.length() - "SERVICE".length());
      }
      names.add(name);
    }
    return List.copyOf(names);
  }
}
