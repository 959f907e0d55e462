/**
 * Classic mode's server side: {@link io.rpyc.server.classic.ClassicService}, the root a classic
 * client gets (RPyC's {@code SlaveService}: classes by name, jshell evaluation, stdio redirection,
 * teleported code, file transfer), and {@code bin/classic-server} ({@link
 * io.rpyc.server.classic.ClassicServerCommand}). Classic mode is remote code execution by design;
 * see {@code docs/classic.md}.
 */
package io.rpyc.server.classic;
