/**
 * The annotations users put on their methods: {@code @Collapsed} on a method whose concurrent
 * calls share one load per key.
 */
@NullMarked
package dev.collapse.annotation;

import org.jspecify.annotations.NullMarked;
