/**
 * RPyC 5.3's wire format: frames ({@link io.rpyc.internal.codec.FrameDecoder}, {@link
 * io.rpyc.internal.codec.FrameEncoder}), brine values ({@link io.rpyc.internal.codec.BrineReader},
 * {@link io.rpyc.internal.codec.BrineWriter}) and the rpyc-java extension tags. The only code that
 * touches {@code ByteBuf}. <b>Not API.</b>
 */
package io.rpyc.internal.codec;
