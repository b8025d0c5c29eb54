package dev.collapse.benchmarks;

import dev.collapse.annotation.Collapsed;

/** The catalog under {@code @Collapsed}, with the settings a user would write. */
public class CollapsedCatalog extends Catalog {

	@Override
	@Collapsed(key = "#id", ttl = "10m")
	public String find(Long id) {
		return load(id);
	}

}
