package dev.collapse.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.Jitter;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CollapseMetricsListenerTest {

	private static final int CALLERS = 40;

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final Herds herds = new Herds();

	private final AtomicLong nanos = new AtomicLong();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(1000, this.nanos::get),
			(name) -> settings(Duration.ZERO), List.of(new CollapseMetricsListener(this.meters), this.herds), null);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void herdOfNCallersIsOneLoadOneLeaderAndNMinusOneFollowers() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ZERO));
		List<Object> outcomes = this.herds.run(products, "key-4711", CALLERS, "value-0815", null);

		assertThat(outcomes).containsOnly("value-0815");
		assertThat(this.meters.get("collapse.loads").tags("name", "products", "outcome", "success").timer().count())
			.isEqualTo(1);
		assertThat(this.meters.get("collapse.loads").tags("name", "products", "outcome", "error").timer().count())
			.isZero();
		assertThat(calls("products", "leader")).isEqualTo(1);
		assertThat(calls("products", "follower")).isEqualTo(CALLERS - 1);
		assertThat(calls("products", "hit")).isZero();
		assertThat(this.meters.get("collapse.herd.size").tag("name", "products").summary().count()).isEqualTo(1);
		assertThat(this.meters.get("collapse.herd.size").tag("name", "products").summary().max()).isEqualTo(CALLERS);
		assertThat(this.meters.get("collapse.herd.size").tag("name", "products").summary().totalAmount())
			.isEqualTo(CALLERS);
		assertThat(this.meters.get("collapse.wait").tag("name", "products").timer().count()).isEqualTo(CALLERS - 1);
		assertThat(this.meters.get("collapse.inflight").tag("name", "products").gauge().value()).isZero();
		assertNoTagCarries("key-4711", "value-0815");
	}

	@Test
	void inflightGaugeCountsTheLoadWhileItRuns() throws Throwable {
		CollapseInstance products = this.registry.register("products", settings(Duration.ZERO));
		AtomicInteger seen = new AtomicInteger(-1);
		products.call("k", () -> {
			seen.set((int) this.meters.get("collapse.inflight").tag("name", "products").gauge().value());
			return "v";
		});
		assertThat(seen).hasValue(1);
		assertThat(this.meters.get("collapse.inflight").tag("name", "products").gauge().value()).isZero();
	}

	@Test
	void hitsAreCounted() throws Throwable {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofMinutes(5)));
		products.call("k", () -> "v");
		products.call("k", () -> "other");
		products.call("k", () -> "other");
		assertThat(calls("products", "leader")).isEqualTo(1);
		assertThat(calls("products", "hit")).isEqualTo(2);
	}

	@Test
	void failedLoadIsCountedAsOutcomeErrorAndReachesEveryFollower() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofMinutes(5)));
		IllegalStateException boom = new IllegalStateException("upstream down");
		List<Object> outcomes = this.herds.run(products, "k", CALLERS, null, boom);

		assertThat(outcomes).containsOnly(boom);
		assertThat(this.meters.get("collapse.loads").tags("name", "products", "outcome", "error").timer().count())
			.isEqualTo(1);
		assertThat(this.meters.get("collapse.loads").tags("name", "products", "outcome", "success").timer().count())
			.isZero();
		assertThat(calls("products", "leader")).isEqualTo(1);
		assertThat(calls("products", "follower")).isEqualTo(CALLERS - 1);
	}

	@Test
	void expiredEntryReloadIsCountedAsRefreshExpired() throws Throwable {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofSeconds(10)));
		products.call("k", () -> "v1");
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
		assertThat(products.call("k", () -> "v2")).isEqualTo("v2");
		assertThat(this.meters.get("collapse.refreshes").tags("name", "products", "trigger", "expired").counter().count())
			.isEqualTo(1);
		assertThat(this.meters.get("collapse.refreshes").tags("name", "products", "trigger", "early").counter().count())
			.isZero();
	}

	@Test
	void retriedAttemptsAreCounted() throws Throwable {
		CollapseSettings retrying = new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(10), true, 0,
				RetrySettings.of(3, Duration.ZERO, Duration.ZERO), Duration.ZERO);
		CollapseInstance products = this.registry.register("products", retrying);
		AtomicInteger attempts = new AtomicInteger();
		products.call("k", () -> {
			if (attempts.incrementAndGet() < 3) {
				throw new IllegalStateException("flaky");
			}
			return "v";
		});
		assertThat(this.meters.get("collapse.retries").tag("name", "products").counter().count()).isEqualTo(2);
		assertThat(this.meters.get("collapse.loads").tags("name", "products", "outcome", "success").timer().count())
			.isEqualTo(1);
	}

	@Test
	void redisEventsAreCounted() {
		this.registry.register("products", settings(Duration.ZERO));
		// the Redis layer reports these through the instance's events; bound here to a registry of its own
		MeterRegistry redisMeters = new SimpleMeterRegistry();
		InstanceEvents events = new CollapseMetricsListener(redisMeters).bind(this.herds.view("products"));
		events.onFallback();
		events.onFallback();
		events.onLeaseLost();
		events.onCopyInvalidated();
		assertThat(redisMeters.get("collapse.redis.fallbacks").tag("name", "products").counter().count()).isEqualTo(2);
		assertThat(redisMeters.get("collapse.redis.leases.lost").tag("name", "products").counter().count())
			.isEqualTo(1);
		assertThat(redisMeters.get("collapse.redis.near-cache.invalidations").tag("name", "products").counter().count())
			.isEqualTo(1);
	}

	@Test
	void metersAreRegisteredOncePerInstanceAndNeverPerCallOrKey() throws Throwable {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofMinutes(1)));
		CollapseInstance users = this.registry.register("users", settings(Duration.ZERO));
		int afterBind = this.meters.getMeters().size();
		for (int i = 0; i < 200; i++) {
			String key = "key-" + i;
			products.call(key, () -> "value-" + key);
			products.call(key, () -> "value-" + key);
			users.call(key, () -> "value-" + key);
		}
		assertThat(this.meters.getMeters()).hasSize(afterBind);
		// per instance: 7 call results, 3 load outcomes, herd size, wait, inflight, 2 triggers, retries,
		// redis fallbacks, lost leases and near-cache invalidations
		assertThat(this.meters.getMeters().stream().filter((meter) -> "products".equals(meter.getId().getTag("name"))))
			.hasSize(19);
		assertThat(this.meters.getMeters().stream().filter((meter) -> "users".equals(meter.getId().getTag("name"))))
			.hasSize(19);
		assertThat(this.meters.find("collapse.inflight").gauges()).hasSize(2);
		for (int i = 0; i < 200; i++) {
			assertNoTagCarries("key-" + i, "value-key-" + i);
		}
	}

	@Test
	void metersCarryDescriptionsAndBaseUnits() {
		this.registry.register("products", settings(Duration.ZERO));
		for (Meter meter : this.meters.getMeters()) {
			assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
		}
		assertThat(this.meters.get("collapse.calls").meter().getId().getBaseUnit()).isEqualTo("calls");
		assertThat(this.meters.get("collapse.refreshes").meter().getId().getBaseUnit()).isEqualTo("refreshes");
		assertThat(this.meters.get("collapse.loads").meter().getId().getBaseUnit()).isEqualTo("seconds");
	}

	private double calls(String name, String result) {
		return this.meters.get("collapse.calls").tags("name", name, "result", result).counter().count();
	}

	private void assertNoTagCarries(String... secrets) {
		Set<String> forbidden = Set.of(secrets);
		for (Meter meter : this.meters.getMeters()) {
			for (Tag tag : meter.getId().getTags()) {
				assertThat(forbidden).as(meter.getId().toString()).doesNotContain(tag.getValue());
			}
		}
	}

	@Test
	void aLoadReleasedByItsLoadTimeoutIsTimedAsTimeoutOnceAndItsLateEndIsNotCountedAgain() throws Exception {
		CollapseInstance hung = this.registry.register("hung", new CollapseSettings(Duration.ZERO, Jitter.NONE,
				Duration.ofSeconds(10), true, 0, RetrySettings.NONE, Duration.ZERO, Duration.ofMillis(50)));
		CompletableFuture<Object> never = new CompletableFuture<>();
		CompletableFuture<Object> call = hung.callAsync("k", () -> never);
		// the store's ticker is this test's clock: the load timeout passes on it
		this.nanos.addAndGet(Duration.ofMillis(50).toNanos());
		await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> this.meters.get("collapse.loads").tags("name", "hung", "outcome", "timeout").timer().count() == 1);
		never.complete("late");
		assertThat(call).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("late");
		assertThat(this.meters.get("collapse.loads").tags("name", "hung", "outcome", "timeout").timer().count()).isEqualTo(1);
		assertThat(this.meters.get("collapse.loads").tags("name", "hung", "outcome", "success").timer().count()).isZero();
	}

	private static CollapseSettings settings(Duration ttl) {
		return new CollapseSettings(ttl, Jitter.NONE, Duration.ofSeconds(10), true, 0, RetrySettings.NONE, Duration.ZERO);
	}

}
