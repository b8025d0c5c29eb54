package dev.collapse.chaos;

import dev.collapse.annotation.Collapsed;

/** The annotated method of the soak: short ttl, so that keys are loaded again and again. */
public class ChaosService {

	/** Where a load gets its value: the soak's one upstream, here over TCP from a child JVM. */
	@FunctionalInterface
	public interface Source {

		Versioned load(String node, String key) throws Exception;

	}

	static final String NAME = "chaos";

	private final Source upstream;

	private final String node;

	public ChaosService(Source upstream, String node) {
		this.upstream = upstream;
		this.node = node;
	}

	@Collapsed(name = NAME, key = "#key", ttl = "300ms", jitter = "100ms")
	public Versioned get(String key) throws Exception {
		return this.upstream.load(this.node, key);
	}

}
