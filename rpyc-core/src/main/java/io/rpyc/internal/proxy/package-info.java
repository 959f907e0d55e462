/**
 * Typed proxies of remote objects, generated with Byte Buddy (and instantiated with Objenesis for
 * concrete classes), and the plan of each proxied method's remote call. <b>Not API.</b>
 */
package io.rpyc.internal.proxy;
