package dev.swarmkit.swarmctl;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a positional list that the command accepts as exactly one argument. The list takes any
 * number so that a wrong count gets upstream's own message; the usage shows {@code <label>}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface OneArgument {
}
