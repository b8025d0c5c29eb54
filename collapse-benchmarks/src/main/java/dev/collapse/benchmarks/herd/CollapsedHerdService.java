package dev.collapse.benchmarks.herd;

import dev.collapse.annotation.Collapsed;

/** The upstream behind {@code @Collapsed}, with the settings a user would write. */
public class CollapsedHerdService {

	private final Upstream upstream;

	public CollapsedHerdService(Upstream upstream) {
		this.upstream = upstream;
	}

	@Collapsed(name = "herd", ttl = "10m")
	public String find(String key) {
		return this.upstream.load(key);
	}

}
