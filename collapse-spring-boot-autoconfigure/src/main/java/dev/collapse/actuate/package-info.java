/**
 * The {@code collapse} actuator endpoint and the health of the Redis layer.
 */
@NullMarked
package dev.collapse.actuate;

import org.jspecify.annotations.NullMarked;
