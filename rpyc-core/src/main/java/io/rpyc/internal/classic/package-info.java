/**
 * The client side of classic mode: {@link io.rpyc.ClassicConnection}'s implementation, the objects
 * it passes to the server (output sinks, the class-file source for teleported code), and the names
 * both sides agree on ({@link io.rpyc.internal.classic.ClassicProtocol}). <b>Not API.</b>
 */
package io.rpyc.internal.classic;
