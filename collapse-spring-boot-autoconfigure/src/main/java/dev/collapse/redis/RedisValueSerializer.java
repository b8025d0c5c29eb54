package dev.collapse.redis;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * Writes the results of collapse instances to Redis as text and reads them back as their declared
 * type. The default writes JSON with Jackson and refuses, at startup, types it cannot read back
 * safely ({@code Object}, an interface or abstract class). Declare a bean of this type to store
 * such types: the bean then decides what is safe. Implementations must never let the stored data
 * choose the class to instantiate.
 */
public interface RedisValueSerializer {

	/**
	 * The codec of values of {@code type}; called once per instance, at startup for annotated methods.
	 * @throws IllegalArgumentException if values of {@code type} cannot be read back safely; the
	 * message says why
	 */
	Codec codec(Type type);

	/** Reads and writes values of one type. Thread-safe. */
	interface Codec {

		/** Text of {@code value}, which may be {@code null} (a load's {@code null} result). */
		String write(@Nullable Object value) throws Exception;

		/** The value of {@code text}, as written by {@link #write}; {@code null} for a {@code null} written. */
		@Nullable Object read(String text) throws Exception;

	}

}
