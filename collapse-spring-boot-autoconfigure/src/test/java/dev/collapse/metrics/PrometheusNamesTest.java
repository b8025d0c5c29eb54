package dev.collapse.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Jitter;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;
import dev.collapse.schedule.Jobs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names Prometheus sees, as {@code docs/observability.md} and the Grafana dashboard in
 * {@code docs/grafana} query them. A renamed meter or a changed base unit fails here first.
 */
class PrometheusNamesTest {

	private static final Pattern QUERIED_NAME = Pattern.compile("collapse_[a-z_]*[a-z]");

	private final PrometheusMeterRegistry prometheus = prometheus();

	private final ObservationRegistry observations = ObservationRegistry.create();

	private final Herds herds = new Herds();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> settings(), List.of(new CollapseMetricsListener(this.prometheus),
					new CollapseObservationListener(this.observations), this.herds),
			null);

	PrometheusNamesTest() {
		// as Boot does: observations also become timers, here in the same registry
		this.observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.prometheus));
	}

	/**
	 * A registry with the histogram a user turns on for wait percentiles, as the docs suggest, and
	 * the descriptions of the observation timers, as the auto-configuration adds them.
	 */
	private static PrometheusMeterRegistry prometheus() {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		registry.config().meterFilter(new ObservationMeterDescriptions());
		registry.config().meterFilter(new MeterFilter() {
			@Override
			public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
				if (!id.getName().equals("collapse.wait")) {
					return config;
				}
				return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
			}
		});
		return registry;
	}

	@AfterEach
	void close() {
		this.registry.close();
		this.prometheus.close();
	}

	@Test
	void metersAreScrapedUnderTheNamesTheDocsAndDashboardQuery() throws Exception {
		CollapseInstance products = this.registry.register("products", settings());
		this.herds.run(products, "k", 5, "v", null);
		String scrape = this.prometheus.scrape();
		assertThat(scrape).contains("collapse_calls_total{name=\"products\",result=\"follower\"} 4.0",
				"collapse_calls_total{name=\"products\",result=\"leader\"} 1.0",
				"collapse_loads_seconds_count{name=\"products\",outcome=\"success\"} 1",
				"collapse_loads_seconds_sum{name=\"products\",outcome=\"success\"}",
				"collapse_loads_seconds_count{name=\"products\",outcome=\"error\"} 0",
				"collapse_herd_size_count{name=\"products\"} 1",
				"collapse_herd_size_sum{name=\"products\"} 5.0",
				"collapse_herd_size_max{name=\"products\"} 5.0",
				"collapse_wait_seconds_count{name=\"products\"} 4",
				"collapse_wait_seconds_sum{name=\"products\"}",
				"collapse_inflight{name=\"products\"} 0.0",
				"collapse_refreshes_total{name=\"products\",trigger=\"expired\"} 0",
				"collapse_retries_total{name=\"products\"} 0",
				"collapse_redis_fallbacks_total{name=\"products\"} 0",
				"collapse_redis_leases_lost_total{name=\"products\"} 0",
				"collapse_redis_near_cache_invalidations_total{name=\"products\"} 0");
	}

	@Test
	void everyNameTheDocsAndTheDashboardQueryIsScraped() throws Exception {
		CollapseInstance products = this.registry.register("products", settings());
		this.herds.run(products, "k", 3, "v", null);
		Jobs.register(List.of(new ScheduleMeters(this.prometheus)), "cleanup", "0 0 * * * *");
		Set<String> scraped = this.prometheus.scrape()
			.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toSet());
		Path docs = Path.of("..", "docs");
		for (Path file : List.of(docs.resolve("observability.md"), docs.resolve("grafana/collapse-dashboard.json"))) {
			Set<String> queried = queriedNames(file);
			assertThat(queried).as(file.toString()).isNotEmpty();
			for (String name : queried) {
				assertThat(scraped).as(file + " queries " + name)
					.anySatisfy((sample) -> assertThat(sample.equals(name) || sample.startsWith(name + "_")).isTrue());
			}
		}
	}

	@Test
	void everyCollapseMeterHasHelpText() throws Exception {
		CollapseInstance products = this.registry.register("products", settings());
		this.herds.run(products, "k", 3, "v", null);
		List<String> lines = this.prometheus.scrape().lines().toList();
		Set<String> families = lines.stream()
			.filter((line) -> line.startsWith("# TYPE collapse_"))
			.map((line) -> line.split(" ")[2])
			.collect(Collectors.toCollection(java.util.TreeSet::new));
		// the observation timers are among them: Micrometer's handler made them from the observations
		assertThat(families).contains("collapse_leader_seconds", "collapse_follower_seconds",
				"collapse_leader_active_seconds", "collapse_follower_active_seconds", "collapse_calls_total");
		for (String family : families) {
			assertThat(lines).as("HELP text of " + family)
				.anySatisfy((line) -> assertThat(line).startsWith("# HELP " + family + " ")
					.satisfies((help) -> assertThat(help.substring(("# HELP " + family + " ").length())).isNotBlank()));
		}
	}

	private static Set<String> queriedNames(Path file) throws IOException {
		Matcher matcher = QUERIED_NAME.matcher(Files.readString(file));
		Set<String> names = new java.util.TreeSet<>();
		while (matcher.find()) {
			names.add(matcher.group());
		}
		return names;
	}

	private static CollapseSettings settings() {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(10), true, 0, RetrySettings.NONE,
				Duration.ZERO);
	}

}
