package io.rpyc.it.leak;

/** Loaded by a throw-away class loader in ProxyClassCacheIT. */
public interface Probe {
  int add(int a, int b);
}
