package dev.collapse.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.sample.catalog.CatalogueService;
import dev.collapse.sample.catalog.Product;
import dev.collapse.sample.db.ProductQueryCounter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's two-instance demo, automated: two instances of the sample with the {@code redis}
 * profile, on random ports, against one {@code redis-server} of the test's own. Each instance has
 * its own embedded H2 database and counts its own queries; a herd split across both must cost the
 * fleet one query.
 */
@ExtendWith(RedisServerProcess.Required.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesOneLoadTest {

	/** Requests per instance in each herd. */
	private static final int REQUESTS = 40;

	/**
	 * Long enough that the half of a herd sent to one instance arrives while the other instance's
	 * load still runs, on a busy machine too; the tests wait for it, never sleep.
	 */
	private static final String QUERY_DELAY = "1s";

	RedisServerProcess redis;

	final List<ConfigurableApplicationContext> apps = new ArrayList<>();

	SampleHttp first;

	SampleHttp second;

	@BeforeAll
	void startRedisAndTwoInstances() throws Exception {
		this.redis = RedisServerProcess.start();
		// a thread for each instance, not the common pool: on two cores JDK 25 runs its blocking
		// tasks one after the other, so the two would no longer start (nor warm up) at once
		ExecutorService starters = Executors.newFixedThreadPool(2);
		try {
			// both at once: each startup waits on its own I/O as much as on the CPU
			CompletableFuture<ConfigurableApplicationContext> one = CompletableFuture.supplyAsync(this::startInstance, starters);
			CompletableFuture<ConfigurableApplicationContext> two = CompletableFuture.supplyAsync(this::startInstance, starters);
			this.apps.add(one.get(60, TimeUnit.SECONDS));
			this.apps.add(two.get(60, TimeUnit.SECONDS));
			this.first = new SampleHttp(port(this.apps.get(0)));
			this.second = new SampleHttp(port(this.apps.get(1)));
			// a first request through each instance's web, collapse and Redis code, so that a herd is
			// not slowed down on one side by what runs only once
			CompletableFuture<HttpResponse<String>> warmFirst = CompletableFuture
				.supplyAsync(() -> this.first.get("/api/products/1"), starters);
			CompletableFuture<HttpResponse<String>> warmSecond = CompletableFuture
				.supplyAsync(() -> this.second.get("/api/products/1"), starters);
			assertThat(warmFirst.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			assertThat(warmSecond.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		}
		finally {
			starters.shutdownNow();
		}
	}

	private ConfigurableApplicationContext startInstance() {
		return new SpringApplicationBuilder(SampleApplication.class).profiles("redis")
			.run("--server.port=0", "--spring.data.redis.host=127.0.0.1",
					"--spring.data.redis.port=" + this.redis.port(), "--sample.query-delay=" + QUERY_DELAY,
					"--spring.jmx.enabled=false");
	}

	@AfterAll
	void stop() {
		this.apps.forEach(ConfigurableApplicationContext::close);
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void bothInstancesShareTheRedisLayer() {
		for (SampleHttp instance : List.of(this.first, this.second)) {
			assertThat(SampleHttp.tree(instance.get("/actuator/collapse")).get("redis").get("state").asString())
				.isEqualTo("up");
			assertThat(SampleHttp.tree(instance.get("/actuator/collapse/products")).get("settings").get("mode").asString())
				.isEqualTo("redis");
		}
	}

	@Test
	void herdReleasedAtBothInstancesAtOnceCostsTheFleetOneQuery() throws Exception {
		long product = 7;
		Snapshot before = new Snapshot();
		CountDownLatch start = new CountDownLatch(1);

		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		ExecutorService callers = Executors.newFixedThreadPool(2 * REQUESTS);
		try {
			responses.addAll(queue(callers, start, this.first, product));
			responses.addAll(queue(callers, start, this.second, product));
			start.countDown();
			assertDescaler(responses);
		}
		finally {
			callers.shutdownNow();
		}

		Snapshot after = new Snapshot();
		CollapseMeters one = after.meters(0).minus(before.meters(0));
		CollapseMeters two = after.meters(1).minus(before.meters(1));
		// the meters name the culprit if not: a fallback (Redis too slow) or a second leader
		assertThat(after.queries(0) - before.queries(0) + after.queries(1) - before.queries(1))
			.as("database queries of both instances together; products meters %s and %s", one, two)
			.isEqualTo(1);
		assertThat(one.leader() + two.leader()).as("leaders in the fleet").isEqualTo(1);
		assertThat(one.calls()).isEqualTo(REQUESTS);
		assertThat(two.calls()).isEqualTo(REQUESTS);
		assertThat(one.loadsSucceeded() + two.loadsSucceeded()).isEqualTo(1);
	}

	@Test
	void instanceWhoseHerdArrivesDuringTheOthersLoadWaitsForItThroughRedis() throws Exception {
		long product = 12;
		Snapshot before = new Snapshot();
		CountDownLatch startFirst = new CountDownLatch(1);
		CountDownLatch startSecond = new CountDownLatch(1);

		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		ExecutorService callers = Executors.newFixedThreadPool(2 * REQUESTS);
		try {
			responses.addAll(queue(callers, startFirst, this.first, product));
			responses.addAll(queue(callers, startSecond, this.second, product));
			startFirst.countDown();
			// the first instance's leader holds the fleet's lease on the key while its query runs
			await("the first instance's lease in Redis").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> this.redis.countKeys("collapse:*:lock") > 0);
			startSecond.countDown();
			for (CompletableFuture<HttpResponse<String>> response : responses) {
				HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
				assertThat(answer.statusCode()).isEqualTo(200);
				assertThat(SampleHttp.read(answer, Product.class).id()).isEqualTo(product);
			}
		}
		finally {
			callers.shutdownNow();
		}

		Snapshot after = new Snapshot();
		CollapseMeters one = after.meters(0).minus(before.meters(0));
		CollapseMeters two = after.meters(1).minus(before.meters(1));
		assertThat(after.queries(0) - before.queries(0)).as("first instance's queries; %s", one).isEqualTo(1);
		assertThat(after.queries(1) - before.queries(1)).as("second instance's queries; %s", two).isZero();
		assertThat(one.leader()).isEqualTo(1);
		assertThat(one.remote()).isZero();
		assertThat(two.leader()).isZero();
		// the second instance's callers were served by the first one's load, woken through Redis
		assertThat(two.remote()).isPositive();
		assertThat(two.hit() + two.follower() + two.remote()).isEqualTo(REQUESTS);
		assertThat(two.fallback()).isZero();
	}

	private static List<CompletableFuture<HttpResponse<String>>> queue(ExecutorService callers, CountDownLatch start,
			SampleHttp instance, long product) {
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < REQUESTS; i++) {
			responses.add(CompletableFuture.supplyAsync(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return instance.get("/api/products/" + product);
			}, callers));
		}
		return responses;
	}

	private static void assertDescaler(List<CompletableFuture<HttpResponse<String>>> responses) throws Exception {
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(SampleHttp.read(answer, Product.class).name()).isEqualTo("Descaler");
		}
	}

	private static int port(ConfigurableApplicationContext app) {
		return app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	/** The database queries and the {@code products} meters of both instances at one moment. */
	private final class Snapshot {

		private final long[] queries = new long[2];

		private final CollapseMeters[] meters = new CollapseMeters[2];

		Snapshot() {
			for (int i = 0; i < 2; i++) {
				this.queries[i] = TwoInstancesOneLoadTest.this.apps.get(i).getBean(ProductQueryCounter.class).count();
				this.meters[i] = CollapseMeters.read((i == 0) ? TwoInstancesOneLoadTest.this.first
						: TwoInstancesOneLoadTest.this.second, CatalogueService.PRODUCTS);
			}
		}

		long queries(int instance) {
			return this.queries[instance];
		}

		CollapseMeters meters(int instance) {
			return this.meters[instance];
		}

	}

}
