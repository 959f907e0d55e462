package io.rpyc.server.classic;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands objects to jshell snippets: {@code namespace().put(name, value)} parks the value here and
 * declares the variable with a snippet that takes it back. Public only because snippets are
 * compiled as ordinary code against the server's class path. <b>Not API.</b>
 */
public final class SnippetBridge {
  private static final ConcurrentHashMap<Long, Object> PARKED = new ConcurrentHashMap<>();
  private static final AtomicLong TICKETS = new AtomicLong();

  private SnippetBridge() {}

  static long park(Object value) {
    long ticket = TICKETS.incrementAndGet();
    PARKED.put(ticket, value == null ? PARKED : value);
    return ticket;
  }

  static void discard(long ticket) {
    PARKED.remove(ticket);
  }

  /** Takes a parked value (once). */
  public static Object take(long ticket) {
    Object value = PARKED.remove(ticket);
    return value == PARKED ? null : value;
  }
}
