package io.rpyc.server.classic;

/**
 * Thrown inside a running snippet when its client asked to stop it ({@code stop()}, Ctrl-C in
 * {@code rpyc-shell}). The connection and its jshell state stay usable; what the snippet declared
 * before it was stopped stays declared. An {@link Error}, like {@link ThreadDeath}, so that the
 * snippet's own {@code catch (Exception e)} does not swallow it; it is thrown again at every loop
 * iteration until the snippet ends.
 */
public final class SnippetStoppedException extends Error {
  private static final long serialVersionUID = 1L;

  SnippetStoppedException() {
    super("the snippet was stopped by its client");
  }
}
