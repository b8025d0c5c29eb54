/**
 * The collapsing itself, in plain Java (no Spring, Micrometer or Redis): named instances, the
 * local single-flight, the store, jitter, retry, X-Fetch early refresh, and the events listeners
 * observe.
 */
@NullMarked
package dev.collapse.core;

import org.jspecify.annotations.NullMarked;
