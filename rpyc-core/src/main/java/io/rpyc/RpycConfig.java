package io.rpyc;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one connection: timeouts, limits, and what the peer may do to this side's
 * objects. RPyC's {@code protocol_config} with Java names ({@code allow_public_attrs} → {@link
 * Builder#allowPublicAttrs}); each side's configuration governs what the <em>other</em> side may do
 * to <em>its</em> objects. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * <pre>{@code
 * RpycConfig config = RpycConfig.builder()
 *     .syncRequestTimeout(Duration.ofMinutes(2))
 *     .strictExposure(true)
 *     .build();
 * Connection conn = Rpyc.connect("localhost", 18861, config);
 * }</pre>
 *
 * <p>The access flags and the exact rule they feed are documented in {@code docs/services.md}.
 */
public final class RpycConfig {
  private static final RpycConfig DEFAULTS = builder().build();

  /** Whether and when frames are zlib-compressed, as RPyC does for payloads over 3000 bytes. */
  public enum Compression {
    /** Compress for Python peers, as RPyC does; never for rpyc-java peers (the default). */
    AUTO,
    /** Always compress payloads above 3000 bytes, as RPyC does. */
    ALWAYS,
    /** Never compress (every RPyC peer accepts uncompressed frames). */
    NEVER
  }

  /** How a client connection does its I/O (servers always use Netty's event loops). */
  public enum ClientTransport {
    /**
     * The calling thread writes its request and reads its reply on the connection's socket itself
     * (leader/followers), so a synchronous call costs two thread wake-ups, as a raw TCP round trip
     * does; a reader thread per connection reads between calls. The default for plain TCP.
     */
    CALLER_READS,
    /**
     * Netty's shared event loops read and write for every connection: no thread per connection, two
     * more thread hand-offs per call. For thousands of client connections. TLS and authenticated
     * connections always use it.
     */
    EVENT_LOOP
  }

  private final Duration syncRequestTimeout;
  private final Duration connectTimeout;
  private final boolean allowSafeAttrs;
  private final boolean allowExposedAttrs;
  private final boolean allowPublicAttrs;
  private final boolean allowAllAttrs;
  private final boolean allowGetattr;
  private final boolean allowSetattr;
  private final boolean allowDelattr;
  private final String exposedPrefix;
  private final boolean strictExposure;
  private final boolean includeLocalTraceback;
  private final int maxFrameSize;
  private final int maxNestingDepth;
  private final Compression compression;
  private final boolean javaExtensions;
  private final boolean tcpNoDelay;
  private final Duration keepAliveInterval;
  private final Tls tls;
  private final Authenticator authenticator;
  private final int maxConcurrentRequests;
  private final ClientTransport clientTransport;
  private final Duration spinWait;

  private RpycConfig(Builder b) {
    this.syncRequestTimeout = b.syncRequestTimeout;
    this.connectTimeout = b.connectTimeout;
    this.allowSafeAttrs = b.allowSafeAttrs;
    this.allowExposedAttrs = b.allowExposedAttrs;
    this.allowPublicAttrs = b.allowPublicAttrs;
    this.allowAllAttrs = b.allowAllAttrs;
    this.allowGetattr = b.allowGetattr;
    this.allowSetattr = b.allowSetattr;
    this.allowDelattr = b.allowDelattr;
    this.exposedPrefix = b.exposedPrefix;
    this.strictExposure = b.strictExposure;
    this.includeLocalTraceback = b.includeLocalTraceback;
    this.maxFrameSize = b.maxFrameSize;
    this.maxNestingDepth = b.maxNestingDepth;
    this.compression = b.compression;
    this.javaExtensions = b.javaExtensions;
    this.tcpNoDelay = b.tcpNoDelay;
    this.keepAliveInterval = b.keepAliveInterval;
    this.tls = b.tls;
    this.authenticator = b.authenticator;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.clientTransport = b.clientTransport;
    this.spinWait = b.spinWait;
  }

  /** RPyC's defaults, with the Java additions documented on each builder method. */
  public static RpycConfig defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** How long a synchronous request waits for its reply; RPyC's {@code sync_request_timeout}. */
  public Duration syncRequestTimeout() {
    return syncRequestTimeout;
  }

  /** How long connecting (TCP connect and extension negotiation) may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** RPyC's {@code allow_safe_attrs}: the peer may use Python's protocol names on this side. */
  public boolean allowSafeAttrs() {
    return allowSafeAttrs;
  }

  /** RPyC's {@code allow_exposed_attrs}: exposed members are reachable. */
  public boolean allowExposedAttrs() {
    return allowExposedAttrs;
  }

  /** RPyC's {@code allow_public_attrs}: public fields and methods of any object are reachable. */
  public boolean allowPublicAttrs() {
    return allowPublicAttrs;
  }

  /** RPyC's {@code allow_all_attrs}: everything is reachable, statics and reflection included. */
  public boolean allowAllAttrs() {
    return allowAllAttrs;
  }

  /** RPyC's {@code allow_getattr}: master switch for reading attributes and calling methods. */
  public boolean allowGetattr() {
    return allowGetattr;
  }

  /** RPyC's {@code allow_setattr}: master switch for assigning fields. */
  public boolean allowSetattr() {
    return allowSetattr;
  }

  /** RPyC's {@code allow_delattr}: master switch for deleting attributes. */
  public boolean allowDelattr() {
    return allowDelattr;
  }

  /** RPyC's {@code exposed_prefix}. */
  public String exposedPrefix() {
    return exposedPrefix;
  }

  /**
   * Whether only exposed members are reachable on every object (RPyC's strict default) instead of
   * the Java default, which also opens the public methods of ordinary objects that exposed members
   * return, minus anything leading to reflection or class loading.
   */
  public boolean strictExposure() {
    return strictExposure;
  }

  /** RPyC's {@code include_local_traceback}: send stack traces with exception replies. */
  public boolean includeLocalTraceback() {
    return includeLocalTraceback;
  }

  /** The largest frame payload accepted or sent, in bytes. */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /** The deepest nesting of values accepted in a frame. */
  public int maxNestingDepth() {
    return maxNestingDepth;
  }

  /** When frames are compressed. */
  public Compression compression() {
    return compression;
  }

  /** Whether to negotiate the rpyc-java extension with JVM peers (docs/protocol.md). */
  public boolean javaExtensions() {
    return javaExtensions;
  }

  /** Whether {@code TCP_NODELAY} is set on the socket. */
  public boolean tcpNoDelay() {
    return tcpNoDelay;
  }

  /**
   * How long the peer may stay silent before a keepalive PING is sent; a connection whose PING is
   * not answered within another interval is closed (a half-open TCP connection, a hung peer).
   * {@code null} (the default): no keepalive.
   */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /** The TLS settings a client connects with, or {@code null} for plain TCP. */
  public Tls tls() {
    return tls;
  }

  /**
   * The authenticator a client runs right after connecting (and TLS), before RPyC starts, or {@code
   * null}; servers take theirs from {@code RpycServer.Builder.authenticator}.
   */
  public Authenticator authenticator() {
    return authenticator;
  }

  /**
   * How many requests of the peer may run on worker threads at once on this connection; more wait
   * their turn. Bounds the threads one peer can tie up (each request may wait on the peer).
   * Callbacks nested in a call this side is waiting for do not count: they run on the waiting
   * thread.
   */
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /**
   * How a client connection does its I/O; {@link ClientTransport#CALLER_READS} unless the system
   * property {@code rpyc.clientTransport} names the other. TLS and authenticated connections use
   * {@link ClientTransport#EVENT_LOOP} whatever this says.
   */
  public ClientTransport clientTransport() {
    return clientTransport;
  }

  /**
   * How long a thread waiting on the network may spin (poll) before it blocks: a client's caller
   * waiting for its reply (while it is the JVM's only waiting caller), a server's I/O thread
   * between requests. Each spins only while spinning has been shortening its waits, so waits for
   * slow methods, idle connections or a busy CPU block at once. Spinning saves the wake-up of a
   * blocked thread, several microseconds per call on a virtual machine; it costs CPU when a wait
   * outlasts the spin. {@link Duration#ZERO}: the connection's callers (and a server built with
   * this configuration, its I/O threads) never spin; the event loops shared by {@link
   * ClientTransport#EVENT_LOOP} connections take the default, which {@code -Drpyc.spinWaitMicros=0}
   * turns off. Never spins on a single-CPU machine.
   */
  public Duration spinWait() {
    return spinWait;
  }

  /** Builds {@link RpycConfig}s. Not thread-safe. */
  public static final class Builder {
    private Duration syncRequestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(3);
    private boolean allowSafeAttrs = true;
    private boolean allowExposedAttrs = true;
    private boolean allowPublicAttrs;
    private boolean allowAllAttrs;
    private boolean allowGetattr = true;
    private boolean allowSetattr;
    private boolean allowDelattr;
    private String exposedPrefix = "exposed_";
    private boolean strictExposure;
    private boolean includeLocalTraceback = true;
    private int maxFrameSize = 128 << 20;
    private int maxNestingDepth = 64;
    private Compression compression = Compression.AUTO;
    private boolean javaExtensions = true;
    private boolean tcpNoDelay = true;
    private Duration keepAliveInterval;
    private Tls tls;
    private Authenticator authenticator;
    private int maxConcurrentRequests = 256;
    private ClientTransport clientTransport = defaultClientTransport();
    private Duration spinWait = defaultSpinWait();

    private Builder() {}

    private Builder(RpycConfig c) {
      syncRequestTimeout = c.syncRequestTimeout;
      connectTimeout = c.connectTimeout;
      allowSafeAttrs = c.allowSafeAttrs;
      allowExposedAttrs = c.allowExposedAttrs;
      allowPublicAttrs = c.allowPublicAttrs;
      allowAllAttrs = c.allowAllAttrs;
      allowGetattr = c.allowGetattr;
      allowSetattr = c.allowSetattr;
      allowDelattr = c.allowDelattr;
      exposedPrefix = c.exposedPrefix;
      strictExposure = c.strictExposure;
      includeLocalTraceback = c.includeLocalTraceback;
      maxFrameSize = c.maxFrameSize;
      maxNestingDepth = c.maxNestingDepth;
      compression = c.compression;
      javaExtensions = c.javaExtensions;
      tcpNoDelay = c.tcpNoDelay;
      keepAliveInterval = c.keepAliveInterval;
      tls = c.tls;
      authenticator = c.authenticator;
      maxConcurrentRequests = c.maxConcurrentRequests;
      clientTransport = c.clientTransport;
      spinWait = c.spinWait;
    }

    /** Default 30 s, as in RPyC. Must be positive. */
    public Builder syncRequestTimeout(Duration timeout) {
      this.syncRequestTimeout = positive(timeout, "syncRequestTimeout");
      return this;
    }

    /** Default 3 s, as in RPyC. Must be positive. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Default {@code true}. */
    public Builder allowSafeAttrs(boolean allow) {
      this.allowSafeAttrs = allow;
      return this;
    }

    /** Default {@code true}. */
    public Builder allowExposedAttrs(boolean allow) {
      this.allowExposedAttrs = allow;
      return this;
    }

    /** Default {@code false}. */
    public Builder allowPublicAttrs(boolean allow) {
      this.allowPublicAttrs = allow;
      return this;
    }

    /** Default {@code false}. Turning it on gives the peer the whole JVM (classic mode). */
    public Builder allowAllAttrs(boolean allow) {
      this.allowAllAttrs = allow;
      return this;
    }

    /** Default {@code true}. */
    public Builder allowGetattr(boolean allow) {
      this.allowGetattr = allow;
      return this;
    }

    /** Default {@code false}. */
    public Builder allowSetattr(boolean allow) {
      this.allowSetattr = allow;
      return this;
    }

    /** Default {@code false}. */
    public Builder allowDelattr(boolean allow) {
      this.allowDelattr = allow;
      return this;
    }

    /** Default {@code "exposed_"}. */
    public Builder exposedPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("exposedPrefix must not be empty");
      }
      this.exposedPrefix = prefix;
      return this;
    }

    /** Default {@code false}; see {@link RpycConfig#strictExposure()}. */
    public Builder strictExposure(boolean strict) {
      this.strictExposure = strict;
      return this;
    }

    /** Default {@code true}. */
    public Builder includeLocalTraceback(boolean include) {
      this.includeLocalTraceback = include;
      return this;
    }

    /** Default 128 MiB; at least 1 KiB. */
    public Builder maxFrameSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxFrameSize must be at least 1024, got " + bytes);
      }
      this.maxFrameSize = bytes;
      return this;
    }

    /** Default 64; at least 8. */
    public Builder maxNestingDepth(int depth) {
      if (depth < 8) {
        throw new IllegalArgumentException("maxNestingDepth must be at least 8, got " + depth);
      }
      this.maxNestingDepth = depth;
      return this;
    }

    /** Default {@link Compression#AUTO}. */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** Default {@code true}. */
    public Builder javaExtensions(boolean enable) {
      this.javaExtensions = enable;
      return this;
    }

    /** Default {@code true}. */
    public Builder tcpNoDelay(boolean noDelay) {
      this.tcpNoDelay = noDelay;
      return this;
    }

    /** Default {@code null} (off); see {@link RpycConfig#keepAliveInterval()}. */
    public Builder keepAliveInterval(Duration interval) {
      this.keepAliveInterval = interval == null ? null : positive(interval, "keepAliveInterval");
      return this;
    }

    /**
     * Client side: connect over TLS ({@code Tls.client()...}); {@code null} (the default) for plain
     * TCP.
     */
    public Builder tls(Tls tls) {
      if (tls != null && tls.isServer()) {
        throw new IllegalArgumentException("a connection needs client TLS settings: Tls.client()");
      }
      this.tls = tls;
      return this;
    }

    /** Client side: run this authenticator after connecting; default {@code null} (none). */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /** Default 256; at least 1. */
    public Builder maxConcurrentRequests(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConcurrentRequests must be at least 1, got " + max);
      }
      this.maxConcurrentRequests = max;
      return this;
    }

    /** Default {@link ClientTransport#CALLER_READS}; see {@link RpycConfig#clientTransport()}. */
    public Builder clientTransport(ClientTransport transport) {
      this.clientTransport = Objects.requireNonNull(transport, "clientTransport");
      return this;
    }

    /**
     * Default 50 µs, or {@code -Drpyc.spinWaitMicros}; {@link Duration#ZERO} turns spinning off. At
     * most 10 ms. See {@link #spinWait()}.
     */
    public Builder spinWait(Duration spin) {
      Objects.requireNonNull(spin, "spinWait");
      if (spin.isNegative() || spin.compareTo(Duration.ofMillis(10)) > 0) {
        throw new IllegalArgumentException("spinWait must be between 0 and 10 ms, got " + spin);
      }
      this.spinWait = spin;
      return this;
    }

    /** Builds the configuration. */
    public RpycConfig build() {
      return new RpycConfig(this);
    }

    /** {@code -Drpyc.clientTransport}, in any case; a wrong value is reported and ignored. */
    private static ClientTransport defaultClientTransport() {
      String value = System.getProperty("rpyc.clientTransport");
      if (value == null || value.isBlank()) {
        return ClientTransport.CALLER_READS;
      }
      try {
        return ClientTransport.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        org.slf4j.LoggerFactory.getLogger(RpycConfig.class)
            .warn(
                "ignoring -Drpyc.clientTransport={}: not one of {}",
                value,
                java.util.Arrays.toString(ClientTransport.values()));
        return ClientTransport.CALLER_READS;
      }
    }

    /** {@code -Drpyc.spinWaitMicros}, 0 to 10,000; a wrong value is reported and ignored. */
    private static Duration defaultSpinWait() {
      Duration fallback = Duration.ofNanos(50_000);
      String value = System.getProperty("rpyc.spinWaitMicros");
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        long micros = Long.parseLong(value.trim());
        if (micros >= 0 && micros <= 10_000) {
          return Duration.ofNanos(micros * 1000);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      org.slf4j.LoggerFactory.getLogger(RpycConfig.class)
          .warn("ignoring -Drpyc.spinWaitMicros={}: not a number of microseconds 0-10000", value);
      return fallback;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
