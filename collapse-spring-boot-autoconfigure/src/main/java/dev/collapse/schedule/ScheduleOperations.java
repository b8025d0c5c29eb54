package dev.collapse.schedule;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.PropertyResolver;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import dev.collapse.annotation.Collapsed;
import dev.collapse.annotation.OncePerFleet;
import dev.collapse.annotation.Spread;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Jitter;
import dev.collapse.core.RetrySettings;

/**
 * Resolves each {@code @OncePerFleet} and {@code @Spread} method once: checks it is a
 * {@code void @Scheduled} method (with a cron expression for once per fleet), registers the job's
 * collapse instance, and parses the spread. Called at startup for every annotated method, so that
 * a bad annotation stops the application.
 */
public final class ScheduleOperations {

	/** Shortest time a completion is kept by default: late nodes of a frequent job still skip. */
	private static final Duration MIN_KEEP = Duration.ofMinutes(1);

	/** Most fire times whose gaps the default keep measures. */
	private static final int KEEP_FIRES = 2_000;

	/** By method and bean class: an inherited method is one job per bean class. */
	private final Map<Key, Optional<Operation>> operations = new ConcurrentHashMap<>();

	/** Which method took each job name, as {@code Class.method()}: a name is one job. */
	private final Map<String, String> owners = new ConcurrentHashMap<>();

	private final CollapseRegistry registry;

	private final ScheduledJobs jobs;

	private final PropertyResolver placeholders;

	private final Function<String, @Nullable Duration> loadTimeouts;

	/**
	 * @param registry where each job's instance lives
	 * @param jobs the jobs' counts
	 * @param placeholders resolves {@code ${...}} in attributes and cron expressions
	 * @param loadTimeouts the load timeout set for an instance by name
	 * ({@code collapse.instances.<name>.load-timeout}), or {@code null}: a job's run then holds its
	 * fire time for up to the job's keep, not for the default load timeout of cached loads
	 */
	public ScheduleOperations(CollapseRegistry registry, ScheduledJobs jobs, PropertyResolver placeholders,
			Function<String, @Nullable Duration> loadTimeouts) {
		this.registry = registry;
		this.jobs = jobs;
		this.placeholders = placeholders;
		this.loadTimeouts = loadTimeouts;
	}

	/**
	 * Resolves {@code method} of {@code targetClass} now.
	 * @throws CollapseConfigurationException naming the method and attribute
	 */
	public void validate(Method method, Class<?> targetClass) {
		get(method, targetClass);
	}

	@Nullable Operation get(Method method, Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		return this.operations
			.computeIfAbsent(new Key(method, userClass), (key) -> Optional.ofNullable(resolve(method, userClass)))
			.orElse(null);
	}

	private @Nullable Operation resolve(Method method, Class<?> userClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, userClass);
		OncePerFleet once = AnnotatedElementUtils.findMergedAnnotation(specific, OncePerFleet.class);
		Spread spread = AnnotatedElementUtils.findMergedAnnotation(specific, Spread.class);
		if (once == null && spread == null) {
			return null;
		}
		String origin = describe((once != null) ? "@OncePerFleet" : "@Spread", userClass, specific);
		if (specific.getReturnType() != void.class) {
			throw new CollapseConfigurationException(origin,
					"a scheduled job returns nothing; declare the method void");
		}
		Set<Scheduled> schedules = AnnotatedElementUtils.getMergedRepeatableAnnotations(specific, Scheduled.class);
		if (schedules.isEmpty()) {
			throw new CollapseConfigurationException(origin, "the method has no @Scheduled; add @Scheduled(cron = ...)");
		}
		if (spread != null && schedules.stream().anyMatch((scheduled) -> !hasCron(scheduled))) {
			throw new CollapseConfigurationException(origin, "a spread starts each run after the fire time of a "
					+ "cron expression, and a fixed rate or delay has none, so it would never be spread; use "
					+ "@Scheduled(cron = ...)");
		}
		Duration spreadBy = (spread != null) ? positive(spread.value(), origin, "value") : null;
		OncePerFleetJob job = (once != null) ? job(once, schedules, userClass, specific, origin) : null;
		return new Operation(spreadBy, job);
	}

	private OncePerFleetJob job(OncePerFleet once, Set<Scheduled> schedules, Class<?> userClass, Method method,
			String origin) {
		if (AnnotatedElementUtils.hasAnnotation(method, Collapsed.class)) {
			throw new CollapseConfigurationException(origin, "@Collapsed and @OncePerFleet key the same method "
					+ "two ways; keep @OncePerFleet, which keys each run by its fire time");
		}
		Scheduled scheduled = schedules.iterator().next();
		String cron = this.placeholders.resolvePlaceholders(scheduled.cron());
		if (schedules.size() > 1 || !StringUtils.hasText(cron) || Scheduled.CRON_DISABLED.equals(cron)) {
			throw new CollapseConfigurationException(origin, "once per fleet needs one @Scheduled(cron = ...): the "
					+ "fire times of a fixed rate or delay count from each node's start, so they differ from node to node");
		}
		CronExpression expression;
		try {
			expression = CronExpression.parse(cron);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException(origin, "cron \"" + cron + "\" is not valid: " + ex.getMessage());
		}
		String name = once.name().isEmpty() ? userClass.getSimpleName() + "." + method.getName() : once.name();
		String owner = userClass.getName() + "." + method.getName() + "()";
		String taken = this.owners.putIfAbsent(name, owner);
		if (taken != null && !taken.equals(owner)) {
			throw new CollapseConfigurationException(origin, "the job name \"" + name + "\" is taken by " + taken
					+ ": two jobs of one name would share their fire times, and only one of them would run "
					+ "each; give one @OncePerFleet(name = ...) another name");
		}
		Duration keep = once.keep().isEmpty() ? defaultKeep(expression, zone(scheduled, origin))
				: positive(once.keep(), origin, "keep");
		Duration waitTimeout = positive(once.waitTimeout(), origin, "waitTimeout");
		// no jitter, no early refresh (it would run the job again), no retry, nothing stale: a
		// marker kept for the fire time. A run holds its fire time for up to keep, unless the job's
		// own load timeout says otherwise: the default of cached loads (60s) is shorter than many
		// jobs, and a run outliving it would be counted lost and could be run again by a late node
		Duration loadTimeout = this.loadTimeouts.apply(name);
		CollapseSettings settings = new CollapseSettings(keep, Jitter.NONE, waitTimeout, true, 0.0,
				RetrySettings.NONE, Duration.ZERO, (loadTimeout != null) ? loadTimeout : keep);
		try {
			return new OncePerFleetJob(this.registry.register(name, settings, String.class),
					this.jobs.register(name, cron));
		}
		catch (IllegalStateException | IllegalArgumentException ex) {
			throw new CollapseConfigurationException(origin, ex.getMessage());
		}
	}

	/** The zone of the cron expression, read as Spring's scheduler reads it, placeholders resolved. */
	private ZoneId zone(Scheduled scheduled, String origin) {
		String zone = this.placeholders.resolvePlaceholders(scheduled.zone());
		if (!StringUtils.hasText(zone)) {
			return ZoneId.systemDefault();
		}
		try {
			return StringUtils.parseTimeZoneString(zone).toZoneId();
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException(origin, "zone \"" + zone + "\" is not a time zone id");
		}
	}

	/**
	 * Twice the longest time between two fire times, at least {@link #MIN_KEEP}: a node that
	 * skipped a fire time reads its completion at its next fire, which may come after the
	 * longest gap (a business-hours cron's night), not only the next one. Gaps are measured over
	 * the year ahead, and over at most {@link #KEEP_FIRES} fire times (enough for a frequent job
	 * to show every gap of its day).
	 */
	private static Duration defaultKeep(CronExpression expression, ZoneId zone) {
		ZonedDateTime horizon = ZonedDateTime.now(zone).plusYears(1);
		ZonedDateTime fire = expression.next(ZonedDateTime.now(zone));
		Duration longest = Duration.ZERO;
		for (int i = 0; fire != null && i < KEEP_FIRES; i++) {
			ZonedDateTime next = expression.next(fire);
			if (next == null) {
				break;
			}
			Duration gap = Duration.between(fire, next);
			longest = (gap.compareTo(longest) > 0) ? gap : longest;
			if (next.isAfter(horizon)) {
				break;
			}
			fire = next;
		}
		Duration twice = longest.multipliedBy(2);
		return (twice.compareTo(MIN_KEEP) > 0) ? twice : MIN_KEEP;
	}

	private Duration positive(String text, String origin, String attribute) {
		String resolved = this.placeholders.resolvePlaceholders(text);
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(resolved);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException(origin, attribute + " = \"" + text + "\" is not a duration "
					+ "such as 500ms, 30s or PT1M");
		}
		if (duration.isNegative() || duration.isZero()) {
			throw new CollapseConfigurationException(origin, attribute + " = \"" + text + "\" must be positive");
		}
		return duration;
	}

	private boolean hasCron(Scheduled scheduled) {
		return StringUtils.hasText(this.placeholders.resolvePlaceholders(scheduled.cron()));
	}

	private static String describe(String annotation, Class<?> type, Method method) {
		return annotation + " on " + type.getName() + "." + method.getName() + "()";
	}

	/**
	 * What to do with each fire of one method.
	 * @param spread longest delay of its start, or {@code null}
	 * @param job its once-per-fleet job, or {@code null}
	 */
	record Operation(@Nullable Duration spread, @Nullable OncePerFleetJob job) {
	}

	private record Key(Method method, Class<?> userClass) {
	}

}
