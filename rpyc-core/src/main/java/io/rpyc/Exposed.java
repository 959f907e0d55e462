package io.rpyc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method or field of a {@link Service} (or of any object the service hands out) visible to
 * the peer. RPyC's {@code @rpyc.exposed}; naming a member {@code exposed_<name>} has the same
 * effect, as in RPyC, and either way the peer may use the name with or without the prefix.
 *
 * <pre>{@code
 * public class CalcService extends Service {
 *   @Exposed public int add(int a, int b) { return a + b; }
 *   @Exposed("get_answer") public int answer() { return 42; }   // also reachable as get_answer
 * }
 * }</pre>
 *
 * <p>An annotation on a method is honoured on its overrides too.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Exposed {
  /**
   * An extra name the member answers to on the wire, besides its Java name; useful for Python
   * peers' {@code snake_case}. Empty (the default) for none.
   */
  String value() default "";
}
