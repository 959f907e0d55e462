package io.rpyc.internal.protocol;

import io.rpyc.RemoteRef;
import io.rpyc.RpycException;

/**
 * Makes typed proxies of remote objects for a connection (implemented with Byte Buddy in {@code
 * io.rpyc.internal.proxy}); {@link #NONE} until one is installed.
 */
public interface TypedProxies {
  /** Whether a remote object can be presented as {@code type}. */
  boolean canProxy(Class<?> type);

  /** A proxy of {@code type} forwarding to {@code ref}. */
  Object proxy(RemoteRef ref, Class<?> type);

  /** The handle behind {@code o} if it is a handle or a typed proxy, else {@code null}. */
  RemoteRef unwrap(Object o);

  /** What a reference that arrived untyped becomes: a proxy, or the handle itself. */
  Object auto(Netref netref);

  /** No typed proxies: only {@link RemoteRef} handles. */
  TypedProxies NONE =
      new TypedProxies() {
        @Override
        public boolean canProxy(Class<?> type) {
          return false;
        }

        @Override
        public Object proxy(RemoteRef ref, Class<?> type) {
          throw new RpycException("typed proxies are not available; use the RemoteRef");
        }

        @Override
        public RemoteRef unwrap(Object o) {
          return o instanceof RemoteRef ? (RemoteRef) o : null;
        }

        @Override
        public Object auto(Netref netref) {
          return netref;
        }
      };
}
