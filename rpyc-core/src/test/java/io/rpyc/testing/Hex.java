package io.rpyc.testing;

import java.util.HexFormat;

/** Hex dumps in the spec's notation: {@code "12 51 50"}; quoted ASCII runs allowed. */
public final class Hex {
  private Hex() {}

  /**
   * Parses hex bytes separated by spaces; a {@code "text"} token stands for its ASCII bytes, as in
   * the spec's dumps.
   */
  public static byte[] parse(String dump) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int i = 0;
    while (i < dump.length()) {
      char c = dump.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"') {
        int end = dump.indexOf('"', i + 1);
        byte[] text = dump.substring(i + 1, end).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(text, 0, text.length);
        i = end + 1;
      } else {
        out.write(Integer.parseInt(dump.substring(i, i + 2), 16));
        i += 2;
      }
    }
    return out.toByteArray();
  }

  public static String format(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(HexFormat.of().toHexDigits(b));
    }
    return sb.toString();
  }
}
