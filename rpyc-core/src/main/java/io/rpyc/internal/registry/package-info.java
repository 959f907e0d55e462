/**
 * Service discovery machinery behind {@link io.rpyc.Rpyc#discover(String)}. <b>Not API.</b>
 *
 * <p>{@link io.rpyc.internal.registry.RegistryBackend} is what a registry looks like to the rest of
 * rpyc-java: discover, list, and keep a server registered. The RPyC registry protocol over UDP and
 * TCP ({@code udp://}, {@code tcp://}) is built in here, because it needs nothing but the JDK and
 * brine. Other schemes are found through {@link java.util.ServiceLoader} as {@link
 * io.rpyc.internal.registry.RegistryBackendProvider}s, so that core does not depend on ZooKeeper:
 * {@code rpyc-registry} provides {@code zk://}.
 */
package io.rpyc.internal.registry;
