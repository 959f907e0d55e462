package io.rpyc.server.classic;

/**
 * Thrown inside a running snippet when its client asked to stop it ({@code stop()}, Ctrl-C in
 * {@code rpyc-shell}). The connection and its jshell state stay usable; what the snippet declared
 * before it was stopped stays declared.
 */
public final class SnippetStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SnippetStoppedException() {
    super("the snippet was stopped by its client");
  }
}
