/** Serving RPyC: {@link io.rpyc.server.RpycServer} and the {@code rpyc-server} command. */
package io.rpyc.server;
