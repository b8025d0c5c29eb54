package dev.collapse.redis;

import java.util.concurrent.atomic.AtomicInteger;

/** A class that an entry in Redis names; reading entries must never instantiate it. */
public class Gadget {

	static final AtomicInteger instances = new AtomicInteger();

	public long id;

	public String name;

	public Gadget() {
		instances.incrementAndGet();
	}

}
