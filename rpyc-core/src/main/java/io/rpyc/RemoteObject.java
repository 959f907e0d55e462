package io.rpyc;

/**
 * Implemented by every typed proxy of a remote object: the way back from the typed view to the
 * {@link RemoteRef} behind it (and through it, its {@link Connection}).
 *
 * <pre>{@code
 * List<String> names = conn.root().as(Directory.class).names();   // a proxy of a remote List
 * RemoteRef ref = ((RemoteObject) names).remoteRef();
 * Connection where = ref.connection();
 * }</pre>
 *
 * <p>{@link Rpyc#ref(Object)} does the same for any proxy or handle.
 */
public interface RemoteObject {
  /** The handle this proxy forwards to. */
  RemoteRef remoteRef();
}
