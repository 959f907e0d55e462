/** rpyc-java: RPyC for the JVM. */
package io.rpyc;
