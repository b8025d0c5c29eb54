package dev.collapse.actuate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import dev.collapse.core.CompositeKey;
import dev.collapse.core.NullKey;

/**
 * How the endpoint shows a key: by default a short SHA-256 of the key's text, so that an operator
 * can tell herds on one key from herds on many, and check a suspect key
 * ({@code printf %s 42 | sha256sum}), without the endpoint ever showing the key itself.
 */
final class KeyDigest {

	/** Hex digits of the SHA-256 kept: 64 bits, enough to tell the keys of one instance apart. */
	private static final int HEX_DIGITS = 16;

	private static final HexFormat HEX = HexFormat.of();

	private KeyDigest() {
	}

	/**
	 * The key's text: a String or a number as itself, the arguments of a composite key as a list
	 * ({@code [a, 7]}), the key of a single {@code null} argument as {@code null}.
	 */
	static String text(Object key) {
		if (key instanceof CompositeKey composite) {
			return Arrays.deepToString(composite.parts());
		}
		if (key instanceof NullKey) {
			return "null";
		}
		return String.valueOf(key);
	}

	/** {@code sha256:} and the first 16 hex digits of the SHA-256 of the key's {@link #text} in UTF-8. */
	static String hash(Object key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text(key).getBytes(StandardCharsets.UTF_8));
			return "sha256:" + HEX.formatHex(digest).substring(0, HEX_DIGITS);
		}
		catch (NoSuchAlgorithmException ex) {
			// every Java platform must provide SHA-256 (MessageDigest's contract)
			throw new IllegalStateException(ex);
		}
	}

}
