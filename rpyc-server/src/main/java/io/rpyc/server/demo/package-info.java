/** The service and client that {@code bin/demo} runs. */
package io.rpyc.server.demo;
