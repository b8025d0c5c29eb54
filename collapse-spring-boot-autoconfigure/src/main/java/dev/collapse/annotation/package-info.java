/**
 * The annotations users put on their methods: {@code @Collapsed} on a method whose concurrent
 * calls share one load per key, {@code @CollapseEvict} on a method that changes the data behind
 * those results.
 */
@NullMarked
package dev.collapse.annotation;

import org.jspecify.annotations.NullMarked;
