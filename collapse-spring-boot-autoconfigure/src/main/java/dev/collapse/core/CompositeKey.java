package dev.collapse.core;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Key made of several parts, compared part by part with deep equality: {@code ("a:b", "c")} and
 * {@code ("a", "b:c")} differ, {@code null} parts are allowed, and arrays compare by content.
 * Built by {@link Keys}: the parts are the arguments of a call, or one array. Immutable as far
 * as its parts are: it keeps its own copy of them, but not of arrays among them.
 */
public final class CompositeKey {

	/** Key of a method without arguments. */
	public static final CompositeKey EMPTY = new CompositeKey(new Object[0]);

	private final @Nullable Object[] parts;

	private final int hash;

	/**
	 * Keeps its own copy of {@code parts}, which its caller may change later; arrays among the parts
	 * are not copied.
	 */
	CompositeKey(@Nullable Object[] parts) {
		this.parts = parts.clone();
		this.hash = Arrays.deepHashCode(this.parts);
	}

	/** A copy of the parts. */
	public @Nullable Object[] parts() {
		return this.parts.clone();
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return this == other || (other instanceof CompositeKey that && this.hash == that.hash
				&& Arrays.deepEquals(this.parts, that.parts));
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	/** Shape only: keys may be secrets and are never printed. */
	@Override
	public String toString() {
		return "CompositeKey[" + this.parts.length + " parts]";
	}

}
