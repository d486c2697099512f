package dev.swarmkit.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that run tasks on a real Docker engine with the local test image. Without them the
 * tests fail when {@code CI=true} and are skipped (with the reason) otherwise; see
 * {@link DockerEngineCheck}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DockerEngineCheck.class)
@interface RequiresDocker {}
