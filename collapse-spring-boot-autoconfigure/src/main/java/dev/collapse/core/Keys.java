package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * The one place where values become keys, for {@code @Collapsed} methods and the
 * {@link Collapser} alike, so that both reach the same entry, in this JVM and in Redis.
 *
 * <p>A key is compared with {@code equals} and {@code hashCode}, here and in the local store.
 * Most values already compare by content; the exceptions are made into keys that do: an array
 * becomes a {@link CompositeKey} of one part (compared with {@code Arrays.deepEquals}), a
 * {@code null} argument becomes {@link NullKey#INSTANCE}, and several arguments become one
 * {@link CompositeKey}. A value that is already a key is returned as it is, so normalising twice
 * changes nothing.
 */
public final class Keys {

	private Keys() {
	}

	/**
	 * {@code value} as a key: an array as a {@link CompositeKey} of that one part, so that two
	 * arrays of equal content are one key; {@code null} as {@link NullKey#INSTANCE}; anything else
	 * as itself.
	 */
	public static Object normalize(@Nullable Object value) {
		if (value == null) {
			return NullKey.INSTANCE;
		}
		if (value.getClass().isArray()) {
			return new CompositeKey(new Object[] { value });
		}
		return value;
	}

	/**
	 * The key of a call made with {@code arguments}, as {@code @Collapsed} builds it when it names
	 * no key expression: {@link CompositeKey#EMPTY} for none, the {@linkplain #normalize
	 * normalised} argument for one, a {@link CompositeKey} of them all for several. Give it to a
	 * {@link Collapser} to reach the entry of such a method.
	 */
	public static Object ofArguments(@Nullable Object[] arguments) {
		return switch (arguments.length) {
			case 0 -> CompositeKey.EMPTY;
			case 1 -> normalize(arguments[0]);
			default -> new CompositeKey(arguments);
		};
	}

}
