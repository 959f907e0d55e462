/**
 * RPyC's protocol over the codec: connections, boxing, the export and import tables, request
 * handlers with their Java meaning, access rules, overload resolution, and call chains. <b>Not
 * API.</b>
 */
package io.rpyc.internal.protocol;
