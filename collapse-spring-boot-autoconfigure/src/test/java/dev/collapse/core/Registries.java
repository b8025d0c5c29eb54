package dev.collapse.core;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Ticker;

/** Registries and settings for core tests: no listeners, no early refresh unless asked. */
final class Registries {

	private Registries() {
	}

	static CollapseRegistry registry(Ticker ticker) {
		return new CollapseRegistry(new LocalStore(200_000, ticker), (name) -> inFlightOnly(), List.of(), null);
	}

	static CollapseSettings inFlightOnly() {
		return CollapseSettings.inFlightOnly(Herd.PATIENCE);
	}

	static CollapseSettings caching(Duration ttl, Jitter jitter, boolean cacheNulls) {
		return new CollapseSettings(ttl, jitter, Herd.PATIENCE, cacheNulls, 0, RetrySettings.NONE, Duration.ZERO);
	}

	static CollapseSettings waitingAtMost(Duration waitTimeout) {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, waitTimeout, true, 0, RetrySettings.NONE,
				Duration.ZERO);
	}

}
