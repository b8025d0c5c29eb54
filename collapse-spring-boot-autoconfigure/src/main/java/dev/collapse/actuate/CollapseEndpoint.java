package dev.collapse.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Collapser;
import dev.collapse.core.RefreshTrigger;
import dev.collapse.core.RetrySettings;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.schedule.ScheduledJobs;

/**
 * The {@code collapse} actuator endpoint: every instance with its effective settings, loads in
 * flight, counts and largest recent herds, and the state of the distributed layer.
 *
 * <ul>
 * <li>{@code GET /actuator/collapse}: everything; with {@code collapse.enabled=false} it answers
 * {@code "enabled": false} and no instance, so that a switched-off application says so instead of
 * looking as if the endpoint were not exposed.</li>
 * <li>{@code GET /actuator/collapse/{name}}: one instance; 404 if it does not exist.</li>
 * <li>{@code DELETE /actuator/collapse/{name}?key=...}: evicts one key of the instance and says
 * whether an entry was there; without {@code key}, every entry of the instance. A name this JVM has
 * no instance of is reported as unknown (404 over HTTP, see {@link CollapseEndpointWebExtension})
 * and evicts nothing: a typo in a URL must not create an instance, and its meters. Every
 * {@code @Collapsed} method's instance exists from startup. A key given as text matches a key that
 * is that String, or that number as an Integer or a Long, or that UUID: the forms a single-argument
 * method's key takes. Composite keys (several arguments) cannot be named here: evict the instance,
 * or call {@link Collapser#evict} from code.</li>
 * </ul>
 * Keys in herds are shown as a short SHA-256 of their text unless
 * {@code management.endpoint.collapse.show-keys} is true.
 */
@Endpoint(id = "collapse")
public class CollapseEndpoint {

	/** {@code null} when {@code collapse.enabled=false}: there are no instances then. */
	private final @Nullable CollapseRegistry registry;

	private final CollapseStatistics statistics;

	private final @Nullable DistributedStatus distributed;

	private final @Nullable ScheduledJobs schedules;

	/**
	 * @param registry the instances, {@code null} when collapsing is switched off
	 * ({@code collapse.enabled=false})
	 * @param statistics counts and herds of each instance
	 * @param distributed state of the distributed layer, {@code null} when it is off
	 */
	public CollapseEndpoint(@Nullable CollapseRegistry registry, CollapseStatistics statistics,
			@Nullable DistributedStatus distributed) {
		this(registry, statistics, distributed, null);
	}

	/**
	 * @param schedules the once-per-fleet jobs, {@code null} when there are none
	 */
	public CollapseEndpoint(@Nullable CollapseRegistry registry, CollapseStatistics statistics,
			@Nullable DistributedStatus distributed, @Nullable ScheduledJobs schedules) {
		this.registry = registry;
		this.statistics = statistics;
		this.distributed = distributed;
		this.schedules = schedules;
	}

	/** Whether collapsing is on, every instance by name, and the distributed layer. */
	@ReadOperation
	public CollapseDescriptor collapse() {
		Map<String, InstanceDescriptor> instances = new LinkedHashMap<>();
		if (this.registry != null) {
			this.registry.instances()
				.stream()
				.sorted(Comparator.comparing(CollapseInstance::name))
				.forEach((instance) -> instances.put(instance.name(), describe(instance)));
		}
		return new CollapseDescriptor(this.registry != null, distributed(), instances, schedules());
	}

	/** What became of the fire times of each once-per-fleet job on this node, by job name. */
	private Map<String, ScheduleDescriptor> schedules() {
		Map<String, ScheduleDescriptor> described = new LinkedHashMap<>();
		if (this.schedules != null) {
			this.schedules.jobs().stream().sorted(Comparator.comparing(ScheduledJobs.Job::name)).forEach((job) -> {
				Map<String, Long> runs = new LinkedHashMap<>();
				for (ScheduledJobs.Outcome outcome : ScheduledJobs.Outcome.values()) {
					runs.put(outcome.tag(), job.count(outcome));
				}
				Instant lost = job.lastLost();
				described.put(job.name(), new ScheduleDescriptor(job.cron(), runs, (lost != null) ? lost.toString() : null));
			});
		}
		return described;
	}

	/** One instance, or {@code null} (404) if there is no instance of that name. */
	@ReadOperation
	public @Nullable InstanceDescriptor instance(@Selector String name) {
		return find(name).map(this::describe).orElse(null);
	}

	/**
	 * Evicts {@code key} from the instance {@code name}, in this JVM and in the fleet's store, or
	 * every entry of it without a key. Loads in flight go on. A name this JVM has no instance of
	 * evicts nothing and is answered with {@code known=false}.
	 */
	@DeleteOperation
	public EvictionDescriptor evict(@Selector String name, @Nullable String key) {
		Optional<CollapseInstance> found = find(name);
		if (found.isEmpty()) {
			return new EvictionDescriptor(name, false, (key != null) ? "key" : "all", (key != null) ? shown(key) : null,
					(key != null) ? false : null);
		}
		CollapseInstance instance = found.get();
		if (key == null) {
			instance.evictAll();
			return new EvictionDescriptor(name, true, "all", null, null);
		}
		boolean evicted = false;
		for (Object candidate : keyForms(key)) {
			// every form is evicted, not only the first found: each is a key of its own
			evicted |= instance.evict(candidate);
		}
		return new EvictionDescriptor(name, true, "key", shown(key), evicted);
	}

	private Optional<CollapseInstance> find(String name) {
		return (this.registry != null) ? this.registry.find(name) : Optional.empty();
	}

	/** The objects a key given as text may stand for; evicting one that is absent is harmless. */
	static List<Object> keyForms(String key) {
		List<Object> forms = new ArrayList<>(4);
		forms.add(key);
		try {
			long number = Long.parseLong(key.trim());
			forms.add(number);
			if (number == (int) number) {
				forms.add((int) number);
			}
		}
		catch (NumberFormatException ex) {
			// not a number: the String form is the only one
		}
		if (key.length() == 36 && key.charAt(8) == '-') {
			try {
				forms.add(UUID.fromString(key));
			}
			catch (IllegalArgumentException ex) {
				// not a UUID
			}
		}
		return forms;
	}

	private String shown(String key) {
		return this.statistics.showsKeys() ? key : KeyDigest.hash(key);
	}

	private RedisDescriptor distributed() {
		DistributedStatus status = this.distributed;
		if (status == null) {
			return new RedisDescriptor("off", null, null);
		}
		if (status.available()) {
			return new RedisDescriptor("up", null, status.detail());
		}
		Instant since = status.fallbackSince();
		return new RedisDescriptor("fallback", (since != null) ? since.toString() : null, status.detail());
	}

	private InstanceDescriptor describe(CollapseInstance instance) {
		CollapseStatistics.InstanceStatistics counts = this.statistics.get(instance.name());
		Map<String, Long> calls = new LinkedHashMap<>();
		Map<String, Long> refreshes = new LinkedHashMap<>();
		Map<String, Long> loads = new LinkedHashMap<>();
		List<HerdDescriptor> herds = new ArrayList<>();
		long retries = 0;
		long fallbacks = 0;
		long leasesLost = 0;
		for (CallResult result : CallResult.values()) {
			calls.put(result.tag(), (counts != null) ? counts.calls(result) : 0);
		}
		loads.put("success", (counts != null) ? counts.loads(true) : 0);
		loads.put("error", (counts != null) ? counts.loads(false) : 0);
		for (RefreshTrigger trigger : RefreshTrigger.values()) {
			refreshes.put(trigger.tag(), (counts != null) ? counts.refreshes(trigger) : 0);
		}
		if (counts != null) {
			retries = counts.retries();
			fallbacks = counts.fallbacks();
			leasesLost = counts.leasesLost();
			for (CollapseStatistics.Herd herd : counts.largestHerds()) {
				herds.add(new HerdDescriptor(herd.callers(), herd.loadTime().toMillis(), herd.at().toString(), herd.key()));
			}
		}
		return new InstanceDescriptor(settings(instance), instance.inflight(), calls, loads, refreshes,
				retries, fallbacks, leasesLost, herds);
	}

	private SettingsDescriptor settings(CollapseInstance instance) {
		CollapseSettings settings = instance.settings();
		RetrySettings retry = settings.retry();
		return new SettingsDescriptor(text(settings.ttl()), settings.jitter().toString(),
				text(settings.jitter().max(settings.ttl())), text(settings.waitTimeout()), settings.cacheNulls(),
				settings.earlyRefreshBeta(),
				new RetryDescriptor(retry.maxAttempts(), text(retry.baseDelay()), text(retry.maxDelay()),
						retry.retryOn().stream().map(Class::getName).toList(),
						retry.ignore().stream().map(Class::getName).toList()),
				text(settings.staleIfError()), text(settings.failureTtl()), instance.distributed() ? "redis" : "local");
	}

	/** ISO-8601, as Spring Boot binds it back: {@code PT5M}. */
	private static String text(Duration duration) {
		return duration.toString();
	}

	/**
	 * The whole endpoint.
	 * @param enabled {@code collapse.enabled}: when false, {@code @Collapsed} methods run as plain
	 * calls and there are no instances
	 * @param redis state of the distributed layer
	 * @param instances every instance, by name
	 * @param schedules every once-per-fleet job, by name
	 */
	public record CollapseDescriptor(boolean enabled, RedisDescriptor redis, Map<String, InstanceDescriptor> instances,
			Map<String, ScheduleDescriptor> schedules) implements OperationResponseBody {
	}

	/**
	 * One once-per-fleet job on this node.
	 * @param cron its cron expression
	 * @param runs fire times by outcome: run, failed, skipped, lost
	 * @param lastLost nominal time of the latest lost run this node found, ISO-8601
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record ScheduleDescriptor(String cron, Map<String, Long> runs, @Nullable String lastLost) {
	}

	/**
	 * State of the distributed layer.
	 * @param state {@code off} (not configured), {@code up}, or {@code fallback} (calls collapse
	 * in each JVM only)
	 * @param since when the fallback began, ISO-8601; {@code null} unless falling back
	 * @param detail the layer's own description; never a key or a value
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record RedisDescriptor(String state, @Nullable String since, @Nullable String detail) {
	}

	/**
	 * One instance.
	 * @param settings effective settings
	 * @param inflight loads running now
	 * @param calls calls served so far, by result
	 * @param loads loads so far, by outcome
	 * @param refreshes refreshes so far, by trigger
	 * @param retries attempts retried
	 * @param fallbacks calls collapsed locally because the distributed layer failed
	 * @param leasesLost distributed leases lost while loading
	 * @param herds largest recent herds, largest first
	 */
	public record InstanceDescriptor(SettingsDescriptor settings, int inflight, Map<String, Long> calls,
			Map<String, Long> loads, Map<String, Long> refreshes, long retries, long fallbacks, long leasesLost,
			List<HerdDescriptor> herds) implements OperationResponseBody {
	}

	/** Effective settings of one instance; durations in ISO-8601. */
	public record SettingsDescriptor(String ttl, String jitter, String jitterMax, String waitTimeout,
			boolean cacheNulls, double earlyRefreshBeta, RetryDescriptor retry, String staleIfError, String failureTtl,
			String mode) {
	}

	/** Retry settings of one instance. */
	public record RetryDescriptor(int maxAttempts, String baseDelay, String maxDelay, List<String> retryOn,
			List<String> ignore) {
	}

	/**
	 * One herd.
	 * @param callers callers its load served, leader included
	 * @param loadMillis how long the load took
	 * @param at when it completed, ISO-8601
	 * @param key short SHA-256 of the key's text, or the text when keys are shown
	 */
	public record HerdDescriptor(int callers, long loadMillis, String at, String key) {
	}

	/**
	 * What an eviction asked for, and what it found.
	 * @param instance the instance
	 * @param known whether this JVM has the instance; when false nothing was evicted (often a typo)
	 * @param scope {@code key} or {@code all}
	 * @param key the key as shown in herds, {@code null} when every entry was evicted
	 * @param evicted for a key: whether an entry (fresh or expired) was there, in this JVM or in the
	 * fleet's store; {@code null} when every entry was evicted, as they are not counted
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record EvictionDescriptor(String instance, boolean known, String scope, @Nullable String key,
			@Nullable Boolean evicted) implements OperationResponseBody {
	}

}
