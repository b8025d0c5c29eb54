package dev.collapse.redis;

import java.util.Objects;

/**
 * A tenant-scoped key whose tenant has no getter (issue 14): its JSON was {@code {"id":42}} for
 * every tenant, so tenant t2 was served tenant t1's value.
 */
public final class TenantScoped {

	private final String tenant;

	private final long id;

	public TenantScoped(String tenant, long id) {
		this.tenant = tenant;
		this.id = id;
	}

	public long getId() {
		return this.id;
	}

	/** Not a getter: what a key encoder reads. */
	public String tenant() {
		return this.tenant;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TenantScoped that && this.tenant.equals(that.tenant) && this.id == that.id;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.tenant, this.id);
	}

}
