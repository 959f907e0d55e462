package io.rpyc.registry;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import io.rpyc.Endpoint;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Tuple;
import io.rpyc.internal.registry.RegistryMessages;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes registry requests against the table: RPyC's {@code cmd_register}, {@code
 * cmd_unregister}, {@code cmd_query}, {@code cmd_list}. Anything that is not a well-formed request
 * is ignored, as RPyC ignores it: no reply. Thread-safe.
 */
final class RegistryCommands {
  private static final Logger log = LoggerFactory.getLogger(RegistryCommands.class);

  /** A request that gets no reply: malformed, unknown, or refused. */
  private static final Object NO_REPLY = new Object();

  private final RegistryTable table;
  private final boolean allowListing;

  RegistryCommands(RegistryTable table, boolean allowListing) {
    this.table = table;
    this.allowListing = allowListing;
  }

  /**
   * Decodes and executes one request from {@code sender}.
   *
   * @return the encoded reply, or {@code null} if the request is ignored
   * @throws ProtocolViolationException if {@code in} does not hold a complete brine value (a TCP
   *     caller may wait for more bytes)
   */
  byte[] handle(ByteBuf in, InetAddress sender) {
    Object decoded = RegistryMessages.decode(in);
    String host = NetUtil.toAddressString(sender);
    RegistryMessages.Request request;
    try {
      request = RegistryMessages.request(decoded);
    } catch (ProtocolViolationException e) {
      log.debug("ignoring a request from {}: {}", host, e.getMessage());
      return null;
    }
    Object reply;
    try {
      reply = execute(request, host);
    } catch (RuntimeException e) {
      // The table never throws on valid input; whatever did, one request must not stop the rest.
      log.warn("request {} from {} failed", request.command(), host, e);
      return null;
    }
    if (reply == NO_REPLY) {
      log.debug("ignoring {}{} from {}", request.command(), request.args(), host);
      return null;
    }
    return RegistryMessages.encode(reply);
  }

  private Object execute(RegistryMessages.Request request, String host) {
    Tuple args = request.args();
    switch (request.command()) {
      case RegistryMessages.REGISTER:
        {
          if (args.size() != 2 || !(args.get(0) instanceof Tuple) || !isPort(args.get(1))) {
            return NO_REPLY;
          }
          List<String> names = new ArrayList<>();
          for (Object name : (Tuple) args.get(0)) {
            if (!(name instanceof String)) {
              return NO_REPLY;
            }
            names.add((String) name);
          }
          int port = (Integer) args.get(1);
          if (!table.register(names, host, port)) {
            log.warn("registry full: refusing {} from {}:{}", names, host, port);
            return NO_REPLY;
          }
          log.debug("registered {}:{} as {}", host, port, names);
          return RegistryMessages.OK;
        }
      case RegistryMessages.UNREGISTER:
        {
          if (args.size() != 1 || !isPort(args.get(0))) {
            return NO_REPLY;
          }
          table.unregister(host, (Integer) args.get(0));
          log.debug("unregistered {}:{}", host, args.get(0));
          return RegistryMessages.OK;
        }
      case RegistryMessages.QUERY:
        {
          if (args.size() != 1 || !(args.get(0) instanceof String)) {
            return NO_REPLY;
          }
          List<Endpoint> servers = table.query((String) args.get(0));
          Object[] pairs = new Object[servers.size()];
          for (int i = 0; i < pairs.length; i++) {
            pairs[i] = Tuple.of(servers.get(i).host(), servers.get(i).port());
          }
          return Tuple.of(pairs);
        }
      case RegistryMessages.LIST:
        {
          // RPyC sends ((filter_host,),) and reads filter_host[0].
          if (args.size() != 1
              || !(args.get(0) instanceof Tuple)
              || ((Tuple) args.get(0)).isEmpty()) {
            return NO_REPLY;
          }
          Object filter = ((Tuple) args.get(0)).get(0);
          if (filter != null && !(filter instanceof String)) {
            return NO_REPLY;
          }
          if (!allowListing) {
            return null; // None: "listing is disabled"
          }
          return Tuple.copyOf(table.list((String) filter));
        }
      default:
        return NO_REPLY;
    }
  }

  private static boolean isPort(Object value) {
    return value instanceof Integer && (Integer) value > 0 && (Integer) value <= 65535;
  }
}
