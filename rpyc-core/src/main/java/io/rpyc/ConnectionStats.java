package io.rpyc;

/**
 * A snapshot of a connection's bookkeeping, for monitoring and tests.
 *
 * @param exportedObjects local objects the peer currently holds references to (the export table,
 *     root included)
 * @param importedObjects remote objects this side currently holds live handles to
 * @param pendingCalls requests sent and still waiting for their reply
 * @param requestsSent requests sent since the connection opened
 * @param requestsServed requests of the peer served since the connection opened
 */
public record ConnectionStats(
    int exportedObjects,
    int importedObjects,
    int pendingCalls,
    long requestsSent,
    long requestsServed) {}
