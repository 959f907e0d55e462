package io.rpyc.shell;

import io.rpyc.ClassicConnection;
import io.rpyc.Rpyc;

/**
 * A program that opens {@link ClassicConnection#interact()} as a user's code would: connects to the
 * classic server on the port given, defines {@code answer}, runs the shell on its terminal and then
 * shows the connection is still usable.
 */
public final class InteractMain {
  private InteractMain() {}

  /** {@code args[0]}: the server's port on 127.0.0.1. */
  public static void main(String[] args) {
    try (ClassicConnection conn = Rpyc.classic().connect("127.0.0.1", Integer.parseInt(args[0]))) {
      conn.execute("int answer = 42;");
      conn.interact();
      System.out.println("after the shell: answer = " + conn.eval("answer"));
    }
  }
}
