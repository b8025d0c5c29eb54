package dev.collapse.core;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * What listeners see of a {@link CollapseInstance}: reads only, so that they cannot drive loads.
 * One per instance, for its whole life.
 */
final class ReadOnlyView implements InstanceView {

	private final CollapseInstance instance;

	ReadOnlyView(CollapseInstance instance) {
		this.instance = instance;
	}

	@Override
	public String name() {
		return this.instance.name();
	}

	@Override
	public CollapseSettings settings() {
		return this.instance.settings();
	}

	@Override
	public @Nullable Type valueType() {
		return this.instance.valueType();
	}

	@Override
	public boolean distributed() {
		return this.instance.distributed();
	}

	@Override
	public int inflight() {
		return this.instance.inflight();
	}

	@Override
	public long storedEntries() {
		return this.instance.storedEntries();
	}

	@Override
	public String toString() {
		return this.instance.toString();
	}

}
