/**
 * Turns an annotated method into a call of the core: resolves the annotation once per method,
 * evaluates the key, adapts the return type. Calls flow from here into {@code core}, never back:
 * {@code core}, {@code redis}, {@code metrics} and {@code actuate} import nothing from it.
 */
@NullMarked
package dev.collapse.aop;

import org.jspecify.annotations.NullMarked;
