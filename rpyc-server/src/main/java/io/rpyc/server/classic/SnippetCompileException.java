package io.rpyc.server.classic;

/**
 * Java source sent to {@code eval} or {@code execute} does not compile; the message lists jshell's
 * diagnostics with the offending line. The connection and its jshell state are unaffected.
 */
public final class SnippetCompileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SnippetCompileException(String message) {
    super(message);
  }
}
