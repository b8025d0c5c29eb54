package dev.collapse.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.core.RefreshTrigger;

/**
 * Counts what happens in each collapse instance and keeps its largest recent herds, for the
 * {@code collapse} endpoint. Independent of Micrometer: the endpoint works without a meter
 * registry, and its counts never depend on meter filters.
 */
public final class CollapseStatistics implements CollapseListener {

	private final ConcurrentHashMap<String, InstanceStatistics> byName = new ConcurrentHashMap<>();

	private final int herdsKept;

	private final Duration herdWindow;

	private final boolean showKeys;

	private final Clock clock;

	/**
	 * @param herdsKept largest herds kept per instance
	 * @param herdWindow how long a herd stays in the list
	 * @param showKeys whether herds keep their key's text; otherwise only its hash
	 */
	public CollapseStatistics(int herdsKept, Duration herdWindow, boolean showKeys) {
		this(herdsKept, herdWindow, showKeys, Clock.systemUTC());
	}

	CollapseStatistics(int herdsKept, Duration herdWindow, boolean showKeys, Clock clock) {
		if (herdsKept < 0) {
			throw new IllegalArgumentException("management.endpoint.collapse.herds must not be negative, was " + herdsKept);
		}
		if (herdWindow.isNegative() || herdWindow.isZero()) {
			throw new IllegalArgumentException("management.endpoint.collapse.herd-window must be positive, was " + herdWindow);
		}
		this.herdsKept = herdsKept;
		this.herdWindow = herdWindow;
		this.showKeys = showKeys;
		this.clock = clock;
	}

	@Override
	public InstanceEvents bind(InstanceView instance) {
		return this.byName.computeIfAbsent(instance.name(), (name) -> new InstanceStatistics());
	}

	/** Statistics of the instance {@code name}, or {@code null} if no such instance was bound. */
	public @Nullable InstanceStatistics get(String name) {
		return this.byName.get(name);
	}

	/** Whether herds show their key's text rather than its hash. */
	public boolean showsKeys() {
		return this.showKeys;
	}

	/**
	 * One herd: the callers one load served, how long it took, when it completed, and its key's
	 * hash (or text, when keys are shown).
	 */
	public record Herd(int callers, Duration loadTime, Instant at, String key) {
	}

	/** Counts of one instance; updated on callers' threads without locks. */
	public final class InstanceStatistics implements InstanceEvents {

		private final LongAdder[] calls = adders(CallResult.values().length);

		private final LongAdder loadSuccesses = new LongAdder();

		private final LongAdder loadErrors = new LongAdder();

		private final LongAdder[] refreshes = adders(RefreshTrigger.values().length);

		private final LongAdder retries = new LongAdder();

		private final LongAdder fallbacks = new LongAdder();

		private final LongAdder leasesLost = new LongAdder();

		/** Largest herds of the window, at most herdsKept; guarded by itself. */
		private final List<Herd> herds = new ArrayList<>();

		private static LongAdder[] adders(int count) {
			LongAdder[] adders = new LongAdder[count];
			for (int i = 0; i < count; i++) {
				adders[i] = new LongAdder();
			}
			return adders;
		}

		/** Calls served so far, by result. */
		public long calls(CallResult result) {
			return this.calls[result.ordinal()].sum();
		}

		/** Loads that succeeded ({@code true}) or failed, all attempts of each counted once. */
		public long loads(boolean success) {
			return (success ? this.loadSuccesses : this.loadErrors).sum();
		}

		/** Refreshes so far, by trigger. */
		public long refreshes(RefreshTrigger trigger) {
			return this.refreshes[trigger.ordinal()].sum();
		}

		/** Attempts retried so far. */
		public long retries() {
			return this.retries.sum();
		}

		/** Calls collapsed locally because the distributed layer could not be used. */
		public long fallbacks() {
			return this.fallbacks.sum();
		}

		/** Distributed leases lost while loading. */
		public long leasesLost() {
			return this.leasesLost.sum();
		}

		/** The largest herds of the window, largest first, then latest first. */
		public List<Herd> largestHerds() {
			Instant now = CollapseStatistics.this.clock.instant();
			synchronized (this.herds) {
				dropOld(now);
				List<Herd> copy = new ArrayList<>(this.herds);
				copy.sort(Comparator.comparingInt(Herd::callers).reversed().thenComparing(Herd::at, Comparator.reverseOrder()));
				return copy;
			}
		}

		@Override
		public void onCall(CallResult result) {
			this.calls[result.ordinal()].increment();
		}

		@Override
		public void onLoad(boolean success, long nanos) {
			(success ? this.loadSuccesses : this.loadErrors).increment();
		}

		@Override
		public void onRetry() {
			this.retries.increment();
		}

		@Override
		public void onRefresh(RefreshTrigger trigger) {
			this.refreshes[trigger.ordinal()].increment();
		}

		@Override
		public void onFallback() {
			this.fallbacks.increment();
		}

		@Override
		public void onLeaseLost() {
			this.leasesLost.increment();
		}

		/**
		 * Keeps the herd if it is among the largest of the window. Runs once per load, never per
		 * hit; the key's digest is computed only for a herd that is kept, and the key itself is
		 * never retained.
		 */
		@Override
		public void onHerd(Object key, int callers, long loadNanos) {
			int kept = CollapseStatistics.this.herdsKept;
			if (kept == 0) {
				return;
			}
			Instant now = CollapseStatistics.this.clock.instant();
			synchronized (this.herds) {
				dropOld(now);
				int replace = -1;
				if (this.herds.size() >= kept) {
					// the smallest herd, the oldest among equals: a herd as large as it is more recent
					replace = 0;
					for (int i = 1; i < this.herds.size(); i++) {
						Herd herd = this.herds.get(i);
						Herd smallest = this.herds.get(replace);
						if (herd.callers() < smallest.callers()
								|| (herd.callers() == smallest.callers() && herd.at().isBefore(smallest.at()))) {
							replace = i;
						}
					}
					if (this.herds.get(replace).callers() > callers) {
						return;
					}
				}
				String shown = CollapseStatistics.this.showKeys ? KeyDigest.text(key) : KeyDigest.hash(key);
				Herd herd = new Herd(callers, Duration.ofNanos(loadNanos), now, shown);
				if (replace < 0) {
					this.herds.add(herd);
				}
				else {
					this.herds.set(replace, herd);
				}
			}
		}

		private void dropOld(Instant now) {
			Instant oldest = now.minus(CollapseStatistics.this.herdWindow);
			this.herds.removeIf((herd) -> herd.at().isBefore(oldest));
		}

	}

}
