/**
 * {@code rpyc-shell}: an interactive Java shell (JLine 3) whose snippets run in a remote JVM's
 * jshell, through a classic connection. {@link io.rpyc.shell.RemoteShell} is the loop, {@link
 * io.rpyc.shell.RpycShellCommand} the {@code bin/rpyc-shell} command line; with this module on the
 * class path, {@link io.rpyc.ClassicConnection#interact()} opens the same shell.
 */
package io.rpyc.shell;
