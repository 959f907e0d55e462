package io.rpyc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The names a {@link Service} is known by in a registry; RPyC's {@code ALIASES}. The first is the
 * service name. Without this annotation the name is the class's simple name upper-cased with a
 * trailing {@code SERVICE} removed ({@code CalcService} → {@code CALC}).
 *
 * <pre>{@code
 * @ServiceAliases({"CALC", "CALCULATOR"})
 * public class CalcService extends Service { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServiceAliases {
  /** The aliases, first the service name; compared upper-cased. */
  String[] value();
}
