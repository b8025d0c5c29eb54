package dev.collapse.chaos;

import dev.collapse.annotation.Collapsed;

/** The annotated method of the soak: short ttl, so that keys are loaded again and again. */
public class ChaosService {

	private final ChaosUpstream upstream;

	private final String node;

	public ChaosService(ChaosUpstream upstream, String node) {
		this.upstream = upstream;
		this.node = node;
	}

	@Collapsed(name = "chaos", key = "#key", ttl = "300ms", jitter = "100ms")
	public Versioned get(String key) throws Exception {
		return this.upstream.load(this.node, key);
	}

}
