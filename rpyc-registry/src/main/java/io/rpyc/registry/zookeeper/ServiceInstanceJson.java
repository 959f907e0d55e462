package io.rpyc.registry.zookeeper;

import io.rpyc.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * curator-x-discovery's service instance JSON, written and read without Jackson: {@code
 * {"name":"CALC","id":"…","address":"10.0.0.7","port":18861,"sslPort":null,"payload":null,
 * "registrationTimeUTC":…,"serviceType":"DYNAMIC","uriSpec":null}}. Curator-based programs can thus
 * discover rpyc-java servers, and we theirs. Reading takes only the address and port, and builds
 * nothing but strings, numbers, lists and maps: curator-x-discovery's own reader instantiates the
 * class named in a {@code payload}, which a registry entry must never be able to make us do.
 */
final class ServiceInstanceJson {
  /** Bigger node data is not a service instance of ours; don't spend time parsing it. */
  static final int MAX_SIZE = 64 * 1024;

  private static final int MAX_DEPTH = 16;

  private ServiceInstanceJson() {}

  /** The JSON of a dynamic (ephemeral) instance, as curator-x-discovery writes it. */
  static byte[] write(String name, String id, String address, int port, long registrationTimeUtc) {
    String json =
        "{\"name\":"
            + quote(name)
            + ",\"id\":"
            + quote(id)
            + ",\"address\":"
            + quote(address)
            + ",\"port\":"
            + port
            + ",\"sslPort\":null,\"payload\":null,\"registrationTimeUTC\":"
            + registrationTimeUtc
            + ",\"serviceType\":\"DYNAMIC\",\"uriSpec\":null}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The endpoint in an instance's JSON.
   *
   * @throws IllegalArgumentException if it is not JSON, or has no usable address and port
   */
  static Endpoint read(byte[] data) {
    if (data == null || data.length == 0 || data.length > MAX_SIZE) {
      throw new IllegalArgumentException("no service instance data");
    }
    Parser parser = new Parser(new String(data, StandardCharsets.UTF_8));
    Object value = parser.value(0);
    parser.end();
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("a service instance is a JSON object");
    }
    Map<?, ?> instance = (Map<?, ?>) value;
    Object address = instance.get("address");
    Object port = instance.get("port");
    if (!(address instanceof String) || !(port instanceof Long)) {
      throw new IllegalArgumentException("a service instance without address or port");
    }
    long p = (Long) port;
    if (p <= 0 || p > 65535) {
      throw new IllegalArgumentException("port out of range: " + p);
    }
    return new Endpoint((String) address, (int) p);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** A small JSON (RFC 8259) parser into String, Long, Double, Boolean, null, List and Map. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nested too deeply");
      }
      skipSpace();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected '" + c + "'");
      }
    }

    void end() {
      skipSpace();
      if (i != s.length()) {
        throw error("trailing characters");
      }
    }

    private Map<String, Object> object(int depth) {
      Map<String, Object> map = new HashMap<>();
      i++;
      skipSpace();
      if (peek('}')) {
        i++;
        return map;
      }
      while (true) {
        skipSpace();
        if (!peek('"')) {
          throw error("expected a member name");
        }
        String key = string();
        skipSpace();
        expect(':');
        map.put(key, value(depth + 1));
        skipSpace();
        if (peek(',')) {
          i++;
        } else {
          expect('}');
          return map;
        }
      }
    }

    private List<Object> array(int depth) {
      List<Object> list = new ArrayList<>();
      i++;
      skipSpace();
      if (peek(']')) {
        i++;
        return list;
      }
      while (true) {
        list.add(value(depth + 1));
        skipSpace();
        if (peek(',')) {
          i++;
        } else {
          expect(']');
          return list;
        }
      }
    }

    private String string() {
      i++; // the opening quote
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c < 0x20) {
          throw error("control character in a string");
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            sb.append(e);
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'n':
            sb.append('\n');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'u':
            if (i + 4 > s.length()) {
              throw error("short \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            i += 4;
            break;
          default:
            throw error("bad escape \\" + e);
        }
      }
    }

    private Object number() {
      int start = i;
      if (peek('-')) {
        i++;
      }
      boolean integral = true;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c >= '0' && c <= '9') {
          i++;
        } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          integral = false;
          i++;
        } else {
          break;
        }
      }
      String text = s.substring(start, i);
      try {
        if (integral && text.length() <= 18) {
          return Long.parseLong(text);
        }
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw error("bad number " + text);
      }
    }

    private Object literal(String word, Object value) {
      if (!s.startsWith(word, i)) {
        throw error("unexpected characters");
      }
      i += word.length();
      return value;
    }

    private void skipSpace() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    private boolean peek(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException("invalid JSON at " + i + ": " + message);
    }
  }
}
