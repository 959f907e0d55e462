package io.rpyc.internal.registry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rpyc.Endpoint;
import io.rpyc.ProtocolViolationException;
import io.rpyc.Tuple;
import io.rpyc.internal.codec.BrineReader;
import io.rpyc.internal.codec.BrineWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The RPyC registry protocol ({@code rpyc/utils/registry.py}; spec §15): bare brine, no frame
 * header. A request is {@code ("RPYC", COMMAND, args)}, a reply one brine value. Everything is
 * written in plain brine (no rpyc-java extension tags), exactly as Python writes it, because any
 * RPyC registry or client may be on the other end.
 */
public final class RegistryMessages {
  /** The first element of every request. */
  public static final String MAGIC = "RPYC";

  /** The largest request a registry reads, and the largest UDP reply a client reads. */
  public static final int MAX_DGRAM_SIZE = 1500;

  /**
   * The largest reply our clients read. RPyC reads 1500 bytes (15000 for LIST), which a QUERY for a
   * name with dozens of servers outgrows; reading more costs nothing and breaks no one.
   */
  public static final int MAX_REPLY_SIZE = 65536;

  /** How long a registry keeps an entry that is not refreshed: 240 s, RPyC's value. */
  public static final Duration DEFAULT_PRUNING_TIMEOUT = Duration.ofSeconds(240);

  /** How often a server refreshes its registration: 60 s, RPyC's value. */
  public static final Duration REREGISTER_INTERVAL = Duration.ofSeconds(60);

  /** How soon a failed registration is retried: 1 s, RPyC's value. */
  public static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  public static final String REGISTER = "REGISTER";
  public static final String UNREGISTER = "UNREGISTER";
  public static final String QUERY = "QUERY";
  public static final String LIST = "LIST";

  /** The reply to REGISTER and UNREGISTER. */
  public static final String OK = "OK";

  /** Registry messages nest three levels at most; anything deeper is not a registry message. */
  private static final int MAX_DEPTH = 4;

  private RegistryMessages() {}

  /** {@code ("RPYC", "REGISTER", (aliases, port))}. */
  public static byte[] register(List<String> aliases, int port) {
    return encode(Tuple.of(MAGIC, REGISTER, Tuple.of(Tuple.copyOf(aliases), port)));
  }

  /** {@code ("RPYC", "UNREGISTER", (port,))}. */
  public static byte[] unregister(int port) {
    return encode(Tuple.of(MAGIC, UNREGISTER, Tuple.of(port)));
  }

  /** {@code ("RPYC", "QUERY", (name,))}; the registry upper-cases the name. */
  public static byte[] query(String name) {
    return encode(Tuple.of(MAGIC, QUERY, Tuple.of(name)));
  }

  /** {@code ("RPYC", "LIST", ((filterHost,),))}; {@code null} lists every service. */
  public static byte[] list(String filterHost) {
    return encode(Tuple.of(MAGIC, LIST, Tuple.of(Tuple.of(filterHost))));
  }

  /** The plain brine bytes of {@code value} (a reply, or any registry value). */
  public static byte[] encode(Object value) {
    ByteBuf buf = Unpooled.buffer(64);
    try {
      BrineWriter.write(buf, value, false);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      return bytes;
    } finally {
      buf.release();
    }
  }

  /**
   * Decodes one value; trailing bytes are ignored, as Python's {@code brine.load} does.
   *
   * @throws ProtocolViolationException if the bytes are not a complete brine value
   */
  public static Object decode(byte[] bytes, int offset, int length) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes, offset, length);
    try {
      return decode(buf);
    } finally {
      buf.release();
    }
  }

  /** Decodes one value from {@code in}, advancing its reader index; does not release it. */
  public static Object decode(ByteBuf in) {
    return BrineReader.read(in, MAX_DEPTH);
  }

  /** A decoded request: the command upper-cased, and its arguments. */
  public record Request(String command, Tuple args) {}

  /**
   * Checks the envelope of a decoded request: a 3-tuple of the magic, a command name and an
   * argument tuple. The arguments themselves are the command's business.
   *
   * @throws ProtocolViolationException if it is not a registry request
   */
  public static Request request(Object decoded) {
    if (!(decoded instanceof Tuple) || ((Tuple) decoded).size() != 3) {
      throw new ProtocolViolationException("a registry request is a 3-tuple");
    }
    Tuple t = (Tuple) decoded;
    if (!MAGIC.equals(t.get(0))) {
      throw new ProtocolViolationException("bad magic " + describe(t.get(0)));
    }
    if (!(t.get(1) instanceof String) || !(t.get(2) instanceof Tuple)) {
      throw new ProtocolViolationException("a registry request is (magic, str, tuple)");
    }
    return new Request(((String) t.get(1)).toUpperCase(Locale.ROOT), (Tuple) t.get(2));
  }

  /**
   * Reads a QUERY reply: a tuple of {@code (host, port)} pairs.
   *
   * @throws ProtocolViolationException if it is anything else
   */
  public static List<Endpoint> endpoints(Object reply) {
    if (!(reply instanceof Tuple)) {
      throw new ProtocolViolationException("a QUERY reply is a tuple, got " + describe(reply));
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (Object item : (Tuple) reply) {
      if (!(item instanceof Tuple)
          || ((Tuple) item).size() != 2
          || !(((Tuple) item).get(0) instanceof String)
          || !(((Tuple) item).get(1) instanceof Integer)) {
        throw new ProtocolViolationException("a QUERY reply holds (str, int) pairs");
      }
      try {
        endpoints.add(
            new Endpoint((String) ((Tuple) item).get(0), (Integer) ((Tuple) item).get(1)));
      } catch (IllegalArgumentException e) {
        throw new ProtocolViolationException("bad endpoint in a QUERY reply: " + item, e);
      }
    }
    return List.copyOf(endpoints);
  }

  /**
   * Reads a LIST reply: a tuple of names, or {@code null} when the registry does not allow listing.
   *
   * @throws ProtocolViolationException if it is anything else
   */
  public static List<String> names(Object reply) {
    if (reply == null) {
      return null;
    }
    if (!(reply instanceof Tuple)) {
      throw new ProtocolViolationException("a LIST reply is a tuple or None");
    }
    List<String> names = new ArrayList<>();
    for (Object item : (Tuple) reply) {
      if (!(item instanceof String)) {
        throw new ProtocolViolationException("a LIST reply holds names (str)");
      }
      names.add((String) item);
    }
    return List.copyOf(names);
  }

  private static String describe(Object value) {
    return value == null ? "None" : value.getClass().getSimpleName();
  }
}
