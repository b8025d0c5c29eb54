package dev.collapse.metrics;

import java.time.Duration;
import java.util.List;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names Prometheus sees, as {@code docs/observability.md} and the Grafana dashboard in
 * {@code docs/grafana} query them. A renamed meter or a changed base unit fails here first.
 */
class PrometheusNamesTest {

	private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

	private final Herds herds = new Herds();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> settings(), List.of(new CollapseMetricsListener(this.prometheus), this.herds), null);

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
				"collapse_redis_leases_lost_total{name=\"products\"} 0");
	}

	private static CollapseSettings settings() {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(10), true, 0, RetrySettings.NONE,
				Duration.ZERO);
	}

}
