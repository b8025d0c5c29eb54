package dev.collapse.core;

/**
 * How one call was served; the {@code result} tag of {@code collapse.calls}. The constants and
 * their tags are part of the meters' contract: renaming one renames a time series.
 */
public enum CallResult {

	/** From a stored entry, without waiting for a load. */
	HIT,

	/** This caller ran the load. */
	LEADER,

	/** This caller waited for a load that another caller in this JVM ran. */
	FOLLOWER,

	/** This caller waited for a load that another node ran. */
	REMOTE,

	/** The load failed and an expired entry was served instead. */
	STALE,

	/** The distributed layer was unavailable; the call was collapsed locally instead. */
	FALLBACK,

	/**
	 * A failed load's exception, cached for the instance's failure-ttl, was served instead of a
	 * new load.
	 */
	FAILURE;

	private final String tag = name().toLowerCase(java.util.Locale.ROOT);

	/** Lower-case form used as a metric tag. */
	public String tag() {
		return this.tag;
	}

}
