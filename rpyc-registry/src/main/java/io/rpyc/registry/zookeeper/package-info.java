/**
 * The ZooKeeper registry back end ({@code zk://host:2181/rpyc}), on Apache Curator, in the layout
 * of curator-x-discovery: each registered alias is an ephemeral node {@code
 * <basePath>/<ALIAS>/<uuid>} holding curator-x-discovery's JSON service instance. Found by core
 * through {@link java.util.ServiceLoader}; applications select it with a {@code zk://} registrar
 * and never use these classes directly.
 */
package io.rpyc.registry.zookeeper;
