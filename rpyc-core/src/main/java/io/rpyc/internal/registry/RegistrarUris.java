package io.rpyc.internal.registry;

import io.rpyc.Endpoint;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing helpers for registrar URIs, shared by core and the back ends of other modules. */
public final class RegistrarUris {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private RegistrarUris() {}

  /** The query parameters of {@code uri}, decoded, in order; a repeated name keeps the last. */
  public static Map<String, String> parameters(URI uri) {
    String query = uri.getRawQuery();
    if (query == null || query.isEmpty()) {
      return Map.of();
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("parameter without a value in " + uri + ": " + pair);
      }
      parameters.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return Collections.unmodifiableMap(parameters);
  }

  /**
   * Parses a duration written {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h} or in ISO-8601
   * ({@code PT2S}); must be positive.
   *
   * @param what the parameter's name, for the error message
   */
  public static Duration duration(String text, String what) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        default:
          d = Duration.ofHours(n);
      }
    } else {
      try {
        d = Duration.parse(text.trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            what + " must be a duration such as 500ms, 2s or 1m, got '" + text + "'", e);
      }
    }
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, got '" + text + "'");
    }
    return d;
  }

  /**
   * Parses {@code host[:port]} or {@code [ipv6][:port]}.
   *
   * @param defaultPort the port when none is written
   */
  public static Endpoint endpoint(String authority, int defaultPort) {
    String host;
    String port = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '[' in " + authority);
      }
      host = authority.substring(1, close);
      String rest = authority.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("not host:port: " + authority);
        }
        port = rest.substring(1);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      if (colon >= 0 && authority.indexOf(':') != colon) {
        throw new IllegalArgumentException("write an IPv6 address in brackets: " + authority);
      }
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty() || authority.indexOf('@') >= 0 || authority.indexOf(',') >= 0) {
      throw new IllegalArgumentException("not host:port: " + authority);
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a port number in " + authority, e);
      }
    }
    return new Endpoint(host, p);
  }

  /** Parses a comma-separated list of {@code host[:port]}, as in a ZooKeeper connect string. */
  public static List<Endpoint> endpoints(String authorities, int defaultPort) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (String authority : authorities.split(",")) {
      endpoints.add(endpoint(authority.trim(), defaultPort));
    }
    return endpoints;
  }
}
