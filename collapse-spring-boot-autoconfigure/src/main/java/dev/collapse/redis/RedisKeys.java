package dev.collapse.redis;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the Redis keys and channel of one application: {@code <prefix>{<name>:<key>}} for an
 * entry, the same followed by {@code :lock} for its lease, so that both share a hash slot of a
 * Redis Cluster.
 *
 * <p>The encoding is injective: two different (name, key) pairs never meet in one Redis key.
 * The key is written by {@link KeyEncoding}, faithfully (equal keys, and only they, have one
 * text), and each part as {@code <tag><length>:<content>}, so a part can never run into the next
 * one ({@code ("a:b","c")} and {@code ("a","b:c")} differ). Within the braces, {@code \}, <code>{</code> and
 * <code>}</code> are escaped, so the hash tag always ends where this class ends it; in the name
 * {@code :} is escaped too; a lone surrogate, which UTF-8 cannot carry, is escaped as a backslash,
 * {@code u} and its four hex digits. An encoded key longer than {@link #MAX_ENCODED_KEY} characters is
 * replaced by {@code #} and its SHA-256 in hex (no plain encoding starts with {@code #}).
 */
final class RedisKeys {

	/** Longest encoded key kept as it is; longer ones are hashed. */
	static final int MAX_ENCODED_KEY = 200;

	private final String prefix;

	private final KeyEncoding encoding;

	RedisKeys(String prefix, KeyEncoding encoding) {
		if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
			throw new IllegalArgumentException(
					"must not contain '{' or '}', which would change the Redis Cluster hash slot of every key");
		}
		this.prefix = prefix;
		this.encoding = encoding;
	}

	String prefix() {
		return this.prefix;
	}

	/** The channel that carries every completion of this application. */
	String channel() {
		return this.prefix + "completions";
	}

	/** {@code <prefix>{<name>:} for instance {@code name}: the start of every entry key of it. */
	String instancePrefix(String name) {
		StringBuilder text = new StringBuilder(this.prefix).append('{');
		escape(name, true, text);
		return text.append(':').toString();
	}

	KeyEncoding encoding() {
		return this.encoding;
	}

	/**
	 * Entry key of {@code key}, under {@code instancePrefix}.
	 * @throws UnencodableKeyException if the fleet cannot encode {@code key} faithfully
	 */
	String entry(String instancePrefix, Object key) {
		String encoded = this.encoding.encode(key);
		StringBuilder text = new StringBuilder(instancePrefix.length() + encoded.length() + 8).append(instancePrefix);
		if (encoded.length() > MAX_ENCODED_KEY) {
			text.append('#').append(sha256(encoded));
		}
		else {
			escape(encoded, false, text);
		}
		return text.append('}').toString();
	}

	/**
	 * The key of the generation of the instance of {@code instancePrefix}: {@code <prefix>{<name>:}:generation}.
	 * No entry key ends with it, since an encoded key is never empty.
	 */
	static String generation(String instancePrefix) {
		return instancePrefix + "}:generation";
	}

	/**
	 * The start of the entry keys of {@code generation} (at least 1) of the instance of
	 * {@code instancePrefix}: {@code <prefix>{<name>:<generation>:}. No encoded key starts with a
	 * digit, so no entry key of generation 0 (no number) starts like it.
	 */
	static String generationPrefix(String instancePrefix, long generation) {
		return instancePrefix + generation + ':';
	}

	static String lock(String entry) {
		return entry + ":lock";
	}

	private static void escape(String text, boolean name, StringBuilder out) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '\\' -> out.append("\\\\");
				case '{' -> out.append("\\(");
				case '}' -> out.append("\\)");
				case ':' -> out.append(name ? "\\;" : ":");
				default -> {
					if (!Character.isSurrogate(c)) {
						out.append(c);
					}
					else if (Character.isHighSurrogate(c) && i + 1 < text.length()
							&& Character.isLowSurrogate(text.charAt(i + 1))) {
						out.append(c).append(text.charAt(++i));
					}
					else {
						// UTF-8 has no lone surrogate: it would be written as '?', and meet the key "?"
						out.append("\\u").append(HexFormat.of().toHexDigits(c));
					}
				}
			}
		}
	}

	private static String sha256(String text) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			// every char as its two bytes: lone surrogates stay apart, which any Charset would replace
			byte[] chars = new byte[2 * text.length()];
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				chars[2 * i] = (byte) (c >>> 8);
				chars[2 * i + 1] = (byte) c;
			}
			return HexFormat.of().formatHex(digest.digest(chars));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

}
