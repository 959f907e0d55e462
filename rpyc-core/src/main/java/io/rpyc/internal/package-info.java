/**
 * Internal machinery of rpyc-java. <b>Not API</b>: anything under {@code io.rpyc.internal} may
 * change without notice; only sibling rpyc-java modules may use it.
 */
package io.rpyc.internal;
