package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * Writes keys of a type that the fleet cannot encode by itself as text, so that they can be
 * shared through Redis. Declare one as a bean; it is used only with Redis on.
 *
 * <p>Strings, numbers, booleans, characters, enums, UUIDs, {@code java.time} values, records,
 * lists, sets and maps of these, and arrays where they compare by content (a key, an argument),
 * are encoded by the fleet itself and never reach an encoder: the fleet's own encoding comes
 * first. Any other value (a key, or a part of one: an argument, a record component, an element)
 * is offered to the encoders in their bean order; the first text returned is used.
 *
 * <p>Contract: for the keys an encoder handles, {@code a.equals(b)} if and only if
 * {@code encode(a).equals(encode(b))}, on every node of the fleet and in every version that shares
 * its Redis. Text that leaves out state {@code equals} compares (a tenant, a scale, a type) makes
 * keys that are not equal share one entry, and one caller is served another's value. The key's
 * class is written before the text, so keys of different classes never meet.
 */
@FunctionalInterface
public interface KeyEncoder {

	/**
	 * The text of {@code key}, or {@code null} if this encoder does not handle its type: the next
	 * encoder is asked, and a key that none handles is collapsed in its JVM only.
	 * @param key never {@code null}
	 */
	@Nullable String encode(Object key);

}
