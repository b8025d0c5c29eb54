package dev.collapse.redis;

/**
 * A key that the fleet cannot encode faithfully (docs/design.md, Keys): its call is collapsed in
 * its JVM only. The message names classes and reasons, never a key's content.
 */
final class UnencodableKeyException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	UnencodableKeyException(String reason) {
		super(reason, null, false, false);
	}

}
