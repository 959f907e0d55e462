/**
 * Netty plumbing: event loops (epoll when available, NIO otherwise), bootstrap, the pipeline, and
 * the write queue that coalesces frames from many threads into few flushes. <b>Not API.</b>
 */
package io.rpyc.internal.transport;
