/**
 * Spring Boot auto-configuration: one auto-configuration per concern (core, Redis, metrics,
 * observations, endpoint, health), every bean replaceable, and the {@code collapse.*} properties.
 */
@NullMarked
package dev.collapse.autoconfigure;

import org.jspecify.annotations.NullMarked;
