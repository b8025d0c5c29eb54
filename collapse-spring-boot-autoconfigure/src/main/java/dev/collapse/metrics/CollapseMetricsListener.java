package dev.collapse.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.core.RefreshTrigger;

/**
 * Publishes the events of every collapse instance as Micrometer meters. Each instance's meters are
 * registered once, when the instance is created, and held: no meter is looked up per call. Every
 * meter is tagged with the instance name; no tag ever carries a key or a value.
 *
 * <p>Base units are set only where a Prometheus name stays the name of the design
 * ({@code collapse.calls} in calls becomes {@code collapse_calls_total}); a unit such as
 * "callers" would rename {@code collapse.herd.size} to {@code collapse_herd_size_callers}.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>meter</th><th>type</th><th>tags besides {@code name}</th></tr>
 * <tr><td>{@code collapse.calls}</td><td>counter</td><td>{@code result}: {@link CallResult#tag()}</td></tr>
 * <tr><td>{@code collapse.loads}</td><td>timer</td><td>{@code outcome}: success, error, timeout</td></tr>
 * <tr><td>{@code collapse.herd.size}</td><td>distribution summary</td><td></td></tr>
 * <tr><td>{@code collapse.wait}</td><td>timer</td><td></td></tr>
 * <tr><td>{@code collapse.inflight}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code collapse.refreshes}</td><td>counter</td><td>{@code trigger}: {@link RefreshTrigger#tag()}</td></tr>
 * <tr><td>{@code collapse.retries}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code collapse.redis.fallbacks}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code collapse.redis.leases.lost}</td><td>counter</td><td></td></tr>
 * </table>
 */
public final class CollapseMetricsListener implements CollapseListener {

	/** Tag carrying the instance name, on every meter. */
	public static final String NAME_TAG = "name";

	private final MeterRegistry registry;

	public CollapseMetricsListener(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public InstanceEvents bind(InstanceView instance) {
		return new InstanceMeters(this.registry, instance);
	}

	/** The meters of one instance, registered once at bind time. */
	static final class InstanceMeters implements InstanceEvents {

		private final Map<CallResult, Counter> calls = new EnumMap<>(CallResult.class);

		private final Timer loadSuccess;

		private final Timer loadError;

		/** Loads that held their key for the whole load timeout; their key was released. */
		private final Timer loadTimeout;

		private final DistributionSummary herdSize;

		private final Timer wait;

		private final Map<RefreshTrigger, Counter> refreshes = new EnumMap<>(RefreshTrigger.class);

		private final Counter retries;

		private final Counter fallbacks;

		private final Counter leasesLost;

		private final Counter copiesInvalidated;

		InstanceMeters(MeterRegistry registry, InstanceView instance) {
			Tags tags = Tags.of(NAME_TAG, instance.name());
			for (CallResult result : CallResult.values()) {
				this.calls.put(result, Counter.builder("collapse.calls")
					.description("Calls of a collapse instance, by how each was served")
					.baseUnit("calls")
					.tags(tags)
					.tag("result", result.tag())
					.register(registry));
			}
			this.loadSuccess = loads(registry, tags, "success");
			this.loadError = loads(registry, tags, "error");
			this.loadTimeout = loads(registry, tags, "timeout");
			this.herdSize = DistributionSummary.builder("collapse.herd.size")
				.description("Callers served by one load: its leader and the followers that waited for it")
				.tags(tags)
				.register(registry);
			this.wait = Timer.builder("collapse.wait")
				.description("Time followers waited for a load that another caller ran")
				.tags(tags)
				.register(registry);
			Gauge.builder("collapse.inflight", instance, InstanceView::inflight)
				.description("Loads running now")
				.tags(tags)
				.register(registry);
			for (RefreshTrigger trigger : RefreshTrigger.values()) {
				this.refreshes.put(trigger, Counter.builder("collapse.refreshes")
					.description("Loads of a key that was stored before, by what triggered them")
					.baseUnit("refreshes")
					.tags(tags)
					.tag("trigger", trigger.tag())
					.register(registry));
			}
			this.retries = Counter.builder("collapse.retries")
				.description("Failed load attempts that were tried again")
				.baseUnit("retries")
				.tags(tags)
				.register(registry);
			this.fallbacks = Counter.builder("collapse.redis.fallbacks")
				.description("Calls collapsed in this JVM only because Redis could not be used")
				.baseUnit("fallbacks")
				.tags(tags)
				.register(registry);
			this.leasesLost = Counter.builder("collapse.redis.leases.lost")
				.description("Loads whose Redis lease was lost before they completed; their results were not stored")
				.tags(tags)
				.register(registry);
			this.copiesInvalidated = Counter.builder("collapse.redis.near-cache.invalidations")
				.description("Copies of fleet entries (near cache) dropped because a message said the entry changed")
				.tags(tags)
				.register(registry);
		}

		private static Timer loads(MeterRegistry registry, Tags tags, String outcome) {
			return Timer.builder("collapse.loads")
				.description("Loads run by a leader, all retries included: the upstream work a herd would multiply")
				.tags(tags)
				.tag("outcome", outcome)
				.register(registry);
		}

		@Override
		public void onCall(CallResult result) {
			this.calls.get(result).increment();
		}

		@Override
		public void onLoad(boolean success, long nanos) {
			(success ? this.loadSuccess : this.loadError).record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void onLoadTimeout(long nanos) {
			this.loadTimeout.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void onRetry() {
			this.retries.increment();
		}

		@Override
		public void onHerd(Object key, int callers, long loadNanos) {
			this.herdSize.record(callers);
		}

		@Override
		public void onWait(long nanos) {
			this.wait.record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void onRefresh(RefreshTrigger trigger) {
			this.refreshes.get(trigger).increment();
		}

		@Override
		public void onFallback() {
			this.fallbacks.increment();
		}

		@Override
		public void onLeaseLost() {
			this.leasesLost.increment();
		}

		@Override
		public void onCopyInvalidated() {
			this.copiesInvalidated.increment();
		}

	}

}
