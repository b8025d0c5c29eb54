package dev.collapse.security;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class that hostile entries in Redis name. Reading entries must never instantiate it: every
 * constructor counts.
 */
public class GadgetProbe {

	static final AtomicInteger instances = new AtomicInteger();

	public long version;

	public String text;

	public GadgetProbe() {
		instances.incrementAndGet();
	}

	public GadgetProbe(long version, String text) {
		this();
		this.version = version;
		this.text = text;
	}

}
