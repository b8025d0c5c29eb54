package dev.collapse.redis;

import org.jspecify.annotations.Nullable;

/**
 * The completion message that a leader's completion script publishes on the channel, and what it
 * says to the node that receives it: which entry key, and the {@link Signal} for its waiter.
 *
 * <p>The format, one of:
 * <ul>
 * <li>{@code S<token>\n<entry key>}: the load of {@code token} stored its entry;
 * <li>{@code F<token>\n<entry key>}: the load of {@code token} failed, nothing was stored;
 * <li>{@code E<token>\n<length of the entry key>\n<entry key><entry>}: a success whose stored entry
 * (at most {@link #ENTRY_LIMIT} chars) follows the key. Java writes the part up to the key; the
 * completion script appends the entry, so that the entry crosses the network once;
 * <li>{@code X<node>\n<entry key>}: node {@code node} evicted the key: its entry and lease are gone;
 * <li>{@code G<node>\n<length of the instance prefix>\n<instance prefix><generation>}: node
 * {@code node} evicted every entry of an instance, whose entries now have {@code generation}
 * (the script appends it).
 * </ul>
 * The length in the {@code E} form is needed because an entry key may hold any character, newlines
 * included. Tokens never hold a newline.
 *
 * @param entryKey the entry key the message is about
 * @param signal what to tell the waiter of that key
 */
record CompletionMessage(String entryKey, Signal signal) {

	/**
	 * Largest entry, in chars, that the completion message carries: a waiting node then needs no
	 * read of its own. Every node receives every message, so large entries are only named.
	 */
	static final int ENTRY_LIMIT = 1024;

	/** Longest decimal key length read back: nine digits, so that it never overflows an int. */
	private static final int MAX_LENGTH_DIGITS = 9;

	/**
	 * The message of a completion, without the entry: with {@code withEntry} the completion script
	 * appends the entry to it.
	 */
	static String encode(boolean success, String token, String entryKey, boolean withEntry) {
		if (withEntry) {
			return "E" + token + "\n" + entryKey.length() + "\n" + entryKey;
		}
		return (success ? "S" : "F") + token + "\n" + entryKey;
	}

	/** The message of an eviction of {@code entryKey} by node {@code origin}. */
	static String evicted(String origin, String entryKey) {
		return "X" + origin + "\n" + entryKey;
	}

	/** The message of an eviction of every entry of an instance, without the generation the script appends. */
	static String evictedAll(String origin, String instancePrefix) {
		return "G" + origin + "\n" + instancePrefix.length() + "\n" + instancePrefix;
	}

	/**
	 * What {@code message} says, or {@code null} if it is not a completion message: anything on the
	 * channel that does not parse wakes nobody.
	 */
	static @Nullable CompletionMessage decode(String message) {
		int newline = message.indexOf('\n');
		if (newline < 1) {
			return null;
		}
		String token = message.substring(1, newline);
		switch (message.charAt(0)) {
			case 'S':
				return new CompletionMessage(message.substring(newline + 1), new Signal(Signal.Kind.SUCCESS, token, null));
			case 'F':
				return new CompletionMessage(message.substring(newline + 1), new Signal(Signal.Kind.FAILURE, token, null));
			case 'X':
				return new CompletionMessage(message.substring(newline + 1), new Signal(Signal.Kind.EVICTED, token, null));
			case 'E':
			case 'G':
				int lengthEnd = message.indexOf('\n', newline + 1);
				int keyLength = (lengthEnd < 0) ? -1 : parseLength(message, newline + 1, lengthEnd);
				if (keyLength < 0 || lengthEnd + 1 + keyLength > message.length()) {
					return null;
				}
				int keyEnd = lengthEnd + 1 + keyLength;
				Signal.Kind kind = (message.charAt(0) == 'E') ? Signal.Kind.SUCCESS : Signal.Kind.EVICTED_ALL;
				return new CompletionMessage(message.substring(lengthEnd + 1, keyEnd),
						new Signal(kind, token, message.substring(keyEnd)));
			default:
				return null;
		}
	}

	/** The decimal number in {@code text} between {@code start} and {@code end}, -1 if there is none. */
	private static int parseLength(String text, int start, int end) {
		if (end - start < 1 || end - start > MAX_LENGTH_DIGITS) {
			return -1;
		}
		int value = 0;
		for (int i = start; i < end; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

}
