/**
 * Service discovery by name: {@link io.rpyc.registry.RegistryServer}, RPyC's registry over UDP and
 * TCP, and the {@code registry-server} command. The ZooKeeper back end for fleets is in {@code
 * io.rpyc.registry.zookeeper}; clients use neither directly but {@code Rpyc.discover}.
 */
package io.rpyc.registry;
