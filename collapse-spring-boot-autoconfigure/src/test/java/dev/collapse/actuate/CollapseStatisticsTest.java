package dev.collapse.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RefreshTrigger;

import static org.assertj.core.api.Assertions.assertThat;

class CollapseStatisticsTest {

	private Instant now = Instant.parse("2026-11-26T10:00:00Z");

	private final Clock clock = new Clock() {
		@Override
		public Instant instant() {
			return CollapseStatisticsTest.this.now;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}
	};

	@Test
	void countsCallsLoadsRefreshesAndDistributedEvents() {
		CollapseStatistics.InstanceStatistics stats = bind(new CollapseStatistics(3, Duration.ofHours(1), false, this.clock));
		stats.onCall(CallResult.LEADER);
		stats.onCall(CallResult.FOLLOWER);
		stats.onCall(CallResult.FOLLOWER);
		stats.onLoad(true, 10);
		stats.onLoad(false, 10);
		stats.onRefresh(RefreshTrigger.EARLY);
		stats.onRetry();
		stats.onFallback();
		stats.onLeaseLost();
		assertThat(stats.calls(CallResult.LEADER)).isEqualTo(1);
		assertThat(stats.calls(CallResult.FOLLOWER)).isEqualTo(2);
		assertThat(stats.calls(CallResult.HIT)).isZero();
		assertThat(stats.loads(true)).isEqualTo(1);
		assertThat(stats.loads(false)).isEqualTo(1);
		assertThat(stats.refreshes(RefreshTrigger.EARLY)).isEqualTo(1);
		assertThat(stats.refreshes(RefreshTrigger.EXPIRED)).isZero();
		assertThat(stats.retries()).isEqualTo(1);
		assertThat(stats.fallbacks()).isEqualTo(1);
		assertThat(stats.leasesLost()).isEqualTo(1);
	}

	@Test
	void keepsOnlyTheLargestHerdsLargestFirst() {
		CollapseStatistics.InstanceStatistics stats = bind(new CollapseStatistics(3, Duration.ofHours(1), false, this.clock));
		int[] sizes = { 5, 1, 40, 7, 2, 40, 3, 12 };
		for (int i = 0; i < sizes.length; i++) {
			this.now = this.now.plusSeconds(1);
			stats.onHerd("key-" + i, sizes[i], Duration.ofMillis(sizes[i]).toNanos());
		}
		List<CollapseStatistics.Herd> herds = stats.largestHerds();
		assertThat(herds).extracting(CollapseStatistics.Herd::callers).containsExactly(40, 40, 12);
		// equal sizes: the latest first
		assertThat(herds.get(0).key()).isEqualTo(KeyDigest.hash("key-5"));
		assertThat(herds.get(1).key()).isEqualTo(KeyDigest.hash("key-2"));
		assertThat(herds.get(2).loadTime()).isEqualTo(Duration.ofMillis(12));
	}

	@Test
	void herdsOlderThanTheWindowLeaveTheList() {
		CollapseStatistics.InstanceStatistics stats = bind(new CollapseStatistics(3, Duration.ofMinutes(10), false, this.clock));
		stats.onHerd("old", 500, 1);
		this.now = this.now.plusSeconds(300);
		stats.onHerd("recent", 3, 1);
		assertThat(stats.largestHerds()).extracting(CollapseStatistics.Herd::callers).containsExactly(500, 3);
		this.now = this.now.plusSeconds(301);
		assertThat(stats.largestHerds()).extracting(CollapseStatistics.Herd::callers).containsExactly(3);
	}

	@Test
	void herdsShowAHashOfTheKeyUnlessKeysAreShown() {
		CollapseStatistics.InstanceStatistics hashed = bind(new CollapseStatistics(3, Duration.ofHours(1), false, this.clock));
		hashed.onHerd(4711L, 9, 1);
		assertThat(hashed.largestHerds().get(0).key()).startsWith("sha256:").hasSize(7 + 16).doesNotContain("4711");
		CollapseStatistics.InstanceStatistics shown = bind(new CollapseStatistics(3, Duration.ofHours(1), true, this.clock));
		shown.onHerd(4711L, 9, 1);
		assertThat(shown.largestHerds().get(0).key()).isEqualTo("4711");
	}

	@Test
	void keyDigestIsTheSha256OfTheKeyTextSoOperatorsCanCheckASuspect() {
		// printf %s 4711 | sha256sum
		assertThat(KeyDigest.hash(4711L)).isEqualTo("sha256:"
				+ "de650d61f5bd166a");
		assertThat(KeyDigest.hash("4711")).isEqualTo(KeyDigest.hash(4711L));
		assertThat(KeyDigest.hash("a:b")).isNotEqualTo(KeyDigest.hash("a"));
	}

	private CollapseStatistics.InstanceStatistics bind(CollapseStatistics statistics) {
		List<InstanceView> bound = new ArrayList<>();
		CollapseListener capture = (view) -> {
			bound.add(view);
			return InstanceEvents.NONE;
		};
		try (CollapseRegistry registry = new CollapseRegistry(new LocalStore(10, System::nanoTime),
				(name) -> CollapseSettings.inFlightOnly(Duration.ofSeconds(1)), List.of(statistics, capture), null)) {
			registry.instance("products");
			assertThat(statistics.get("products")).isNotNull();
			assertThat(bound).singleElement().extracting(InstanceView::name).isEqualTo("products");
			return (CollapseStatistics.InstanceStatistics) statistics.bind(bound.get(0));
		}
	}

}
