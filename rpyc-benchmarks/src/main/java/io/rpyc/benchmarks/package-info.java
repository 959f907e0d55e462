/** JMH benchmarks of rpyc-java's hot paths, each beside its baseline. */
package io.rpyc.benchmarks;
