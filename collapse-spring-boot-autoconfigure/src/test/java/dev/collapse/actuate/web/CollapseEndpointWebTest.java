package dev.collapse.actuate.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.metrics.CollapseObservationListener;
import dev.collapse.metrics.Herds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code collapse} endpoint and the Redis health over a real HTTP port, after a real herd
 * through a {@code @Collapsed} method. The distributed layer is a fake that reports a fallback.
 */
@SpringBootTest(classes = CollapseEndpointWebTest.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=collapse,health",
				"management.endpoint.health.show-details=always",
				// the Redis of 127.0.0.1:6379 is not ours: Boot's Redis health must not ping it
				"management.health.redis.enabled=false" })
class CollapseEndpointWebTest {

	private static final Log logger = LogFactory.getLog(CollapseEndpointWebTest.class);

	private static final int CALLERS = 20;

	private static final long ID = 777_000_111L;

	private static final Instant FALLBACK_SINCE = Instant.parse("2026-11-26T10:00:00Z");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private Catalog catalog;

	@Autowired
	private Herds herds;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private ObjectProvider<CollapseObservationListener> observationListener;

	@Test
	void endpointShowsSettingsCountsAndHashedHerdsAndEvictsThroughHttp() throws Exception {
		herd(ID, CALLERS);
		assertThat(this.catalog.loads()).isEqualTo(1);

		HttpResponse<String> response = get("/actuator/collapse");
		assertThat(response.statusCode()).isEqualTo(200);
		logger.info("GET /actuator/collapse -> " + response.body());
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.read("$.enabled", Boolean.class)).isTrue();
		assertThat(json.read("$.redis.state", String.class)).isEqualTo("fallback");
		assertThat(json.read("$.redis.since", String.class)).isEqualTo(FALLBACK_SINCE.toString());
		String products = "$.instances.products";
		assertThat(json.read(products + ".settings.ttl", String.class)).isEqualTo("PT5M");
		assertThat(json.read(products + ".settings.jitter", String.class)).isEqualTo("PT30S");
		assertThat(json.read(products + ".settings.waitTimeout", String.class)).isEqualTo("PT10S");
		assertThat(json.read(products + ".settings.earlyRefreshBeta", Double.class)).isEqualTo(1.0);
		assertThat(json.read(products + ".settings.retry.maxAttempts", Integer.class)).isEqualTo(1);
		assertThat(json.read(products + ".settings.staleIfError", String.class)).isEqualTo("PT0S");
		assertThat(json.read(products + ".settings.failureTtl", String.class)).isEqualTo("PT0S");
		// the Redis layer's state is faked here: no instance has a coordinator, so each is local
		assertThat(json.read(products + ".settings.mode", String.class)).isEqualTo("local");
		assertThat(json.read(products + ".inflight", Integer.class)).isZero();
		assertThat(json.read(products + ".calls.leader", Long.class)).isEqualTo(1);
		assertThat(json.read(products + ".calls.follower", Long.class)).isEqualTo(CALLERS - 1);
		assertThat(json.read(products + ".calls.hit", Long.class)).isZero();
		assertThat(json.read(products + ".loads.success", Long.class)).isEqualTo(1);
		assertThat(json.read(products + ".loads.error", Long.class)).isZero();
		assertThat(json.read(products + ".herds.length()", Integer.class)).isEqualTo(1);
		assertThat(json.read(products + ".herds[0].callers", Integer.class)).isEqualTo(CALLERS);
		assertThat(json.read(products + ".herds[0].key", String.class)).isEqualTo(sha256(Long.toString(ID)));
		assertThat(response.body()).doesNotContain(Long.toString(ID)).doesNotContain("secret-value");

		// Boot's own meter registry got the same herd: the metrics auto-configuration ran after it
		assertThat(this.meters.get("collapse.calls").tags("name", "products", "result", "follower").counter().count())
			.isEqualTo(CALLERS - 1);
		assertThat(this.meters.get("collapse.herd.size").tag("name", "products").summary().max()).isEqualTo(CALLERS);
		assertThat(this.observationListener.getIfAvailable()).isNotNull();
		// Boot's meter handler made a timer of the leader's observation; Boot applied our filter to it
		assertThat(this.meters.get(CollapseObservationListener.LEADER).tag("name", "products").timer().getId()
			.getDescription()).isNotBlank();

		HttpResponse<String> one = get("/actuator/collapse/products");
		assertThat(one.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(one.body()).read("$.calls.follower", Long.class)).isEqualTo(CALLERS - 1);
		assertThat(get("/actuator/collapse/no-such-instance").statusCode()).isEqualTo(404);

		// stored: the next call is a hit
		this.catalog.product(ID);
		assertThat(this.catalog.loads()).isEqualTo(1);

		HttpResponse<String> evicted = delete("/actuator/collapse/products?key=" + ID);
		assertThat(evicted.statusCode()).isEqualTo(200);
		logger.info("DELETE /actuator/collapse/products?key=... -> " + evicted.body());
		assertThat(JsonPath.parse(evicted.body()).read("$.key", String.class)).isEqualTo(sha256(Long.toString(ID)));
		assertThat(JsonPath.parse(evicted.body()).read("$.known", Boolean.class)).isTrue();
		assertThat(JsonPath.parse(evicted.body()).read("$.evicted", Boolean.class)).as("an entry was there").isTrue();
		HttpResponse<String> evictedAgain = delete("/actuator/collapse/products?key=" + ID);
		assertThat(evictedAgain.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(evictedAgain.body()).read("$.evicted", Boolean.class)).as("nothing left").isFalse();
		this.catalog.product(ID);
		assertThat(this.catalog.loads()).isEqualTo(2);

		HttpResponse<String> evictedAll = delete("/actuator/collapse/products");
		assertThat(evictedAll.statusCode()).isEqualTo(200);
		assertThat(evictedAll.body()).contains("\"scope\":\"all\"").doesNotContain("\"key\"");
		this.catalog.product(ID);
		assertThat(this.catalog.loads()).isEqualTo(3);
		HttpResponse<String> unknown = delete("/actuator/collapse/no-such-instance");
		assertThat(unknown.statusCode()).as("a mistyped name fails").isEqualTo(404);
		assertThat(JsonPath.parse(unknown.body()).read("$.known", Boolean.class)).isFalse();
		assertThat(delete("/actuator/collapse/no-such-instance?key=1").statusCode()).isEqualTo(404);
		// a typo creates no instance
		assertThat(get("/actuator/collapse/no-such-instance").statusCode()).isEqualTo(404);
	}

	@Test
	void redisHealthInFallbackIsDegradedWithDetailsButNotDown() throws Exception {
		HttpResponse<String> response = get("/actuator/health");
		logger.info("GET /actuator/health -> " + response.body());
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.read("$.status", String.class)).isEqualTo("UP");
		assertThat(json.read("$.components.collapse.status", String.class)).isEqualTo("UP");
		assertThat(json.read("$.components.collapse.details.degraded", Boolean.class)).isTrue();
		assertThat(json.read("$.components.collapse.details.mode", String.class)).isEqualTo("fallback");
		assertThat(json.read("$.components.collapse.details.since", String.class)).isEqualTo(FALLBACK_SINCE.toString());
		assertThat(json.read("$.components.collapse.details.detail", String.class)).contains("connection refused");
	}

	private void herd(long id, int callers) throws Exception {
		this.herds.expect(callers - 1);
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			List<Future<String>> results = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				results.add(pool.submit(() -> {
					start.await();
					return this.catalog.product(id);
				}));
			}
			start.countDown();
			for (Future<String> result : results) {
				assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("secret-value-" + id);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static String sha256(String text) throws Exception {
		byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
	}

	@SpringBootConfiguration
	// Spring Security is on the test class path for the OAuth2 client tests; its defaults would
	// put this endpoint behind a generated password
	@EnableAutoConfiguration(excludeName = {
			"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
	static class App {

		@Bean
		Herds herds() {
			return new Herds();
		}

		@Bean
		Catalog catalog(Herds herds) {
			return new Catalog(herds);
		}

		@Bean
		DistributedStatus distributedStatus() {
			return new DistributedStatus() {
				@Override
				public boolean available() {
					return false;
				}

				@Override
				public Instant fallbackSince() {
					return FALLBACK_SINCE;
				}

				@Override
				public String detail() {
					return "RedisConnectionFailureException: connection refused (fake, for this test)";
				}
			};
		}

	}

	static class Catalog {

		private final AtomicInteger loads = new AtomicInteger();

		private final Herds herds;

		Catalog(Herds herds) {
			this.herds = herds;
		}

		/** Loads run so far; a method, as the bean is a class proxy whose own fields are empty. */
		public int loads() {
			return this.loads.get();
		}

		/** During a herd, the load waits until every other caller has attached to it. */
		@Collapsed(name = "products", key = "#id", ttl = "5m", jitter = "30s")
		public String product(long id) throws Exception {
			if (this.loads.incrementAndGet() == 1) {
				this.herds.awaitFollowers();
			}
			return "secret-value-" + id;
		}

	}

}
