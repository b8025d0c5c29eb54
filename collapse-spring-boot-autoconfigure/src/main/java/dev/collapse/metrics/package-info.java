/**
 * Micrometer meters, observations and herd warnings, fed by the core's instance events; the core
 * never calls Micrometer itself.
 */
@NullMarked
package dev.collapse.metrics;

import org.jspecify.annotations.NullMarked;
