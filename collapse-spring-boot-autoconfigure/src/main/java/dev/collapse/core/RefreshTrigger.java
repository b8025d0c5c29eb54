package dev.collapse.core;

/**
 * Why an entry was loaded again; the {@code trigger} tag of {@code collapse.refreshes}. The
 * constants and their tags are part of the meters' contract.
 */
public enum RefreshTrigger {

	/** X-Fetch rolled an early refresh before the entry expired. */
	EARLY,

	/** The entry had expired and a caller missed. */
	EXPIRED;

	private final String tag = name().toLowerCase(java.util.Locale.ROOT);

	/** Lower-case form used as a metric tag. */
	public String tag() {
		return this.tag;
	}

}
