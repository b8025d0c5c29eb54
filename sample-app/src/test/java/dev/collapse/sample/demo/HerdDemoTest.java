package dev.collapse.sample.demo;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.micrometer.core.instrument.MeterRegistry;

import dev.collapse.core.Collapser;
import dev.collapse.sample.CollapseMeters;
import dev.collapse.sample.SampleHttp;
import dev.collapse.sample.catalog.CatalogueService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the demo over HTTP with 200 requests (the default is 2,000) and checks the counts the
 * database side reports: one query per request without collapsing, one query with it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HerdDemoTest {

	private static final int REQUESTS = 200;

	/** sample.query-delay in application.yml. */
	private static final double QUERY_DELAY_MS = 50;

	@LocalServerPort
	int port;

	@Autowired
	Collapser collapser;

	@Autowired
	MeterRegistry meters;

	SampleHttp http;

	@BeforeEach
	void connect() {
		this.http = new SampleHttp(this.port);
	}

	@Test
	void productHerdQueriesOncePerRequestWithoutCollapsingAndOnceWithIt() {
		HttpResponse<String> response = this.http.post("/demo/herd?requests=" + REQUESTS + "&product=3",
				"application/json");
		assertThat(response.statusCode()).isEqualTo(200);
		HerdReport report = SampleHttp.read(response, HerdReport.class);
		assertThat(report.upstream()).isEqualTo("database queries");
		assertThat(report.connectionPool()).isEqualTo(10);
		assertThat(report.collapseEnabled()).isTrue();
		assertThat(report.runs()).extracting(HerdRun::mode).containsExactly("collapsing off", "collapsing on");

		HerdRun off = report.runs().get(0);
		assertThat(off.requests()).isEqualTo(REQUESTS);
		assertThat(off.errors()).as("errors without collapsing: %s", off.errorTypes()).isZero();
		assertThat(off.upstreamCalls()).isEqualTo(REQUESTS);
		// 200 queries of at least 50 ms through 10 connections cannot all be done before 1 s
		assertThat(off.maxMs()).isGreaterThanOrEqualTo(REQUESTS * QUERY_DELAY_MS / report.connectionPool());

		HerdRun on = report.runs().get(1);
		assertThat(on.requests()).isEqualTo(REQUESTS);
		assertThat(on.errors()).as("errors with collapsing: %s", on.errorTypes()).isZero();
		assertThat(on.upstreamCalls()).isEqualTo(1);
		// nobody is served before the one query has run: the herd waited for it instead of repeating it
		assertThat(on.p50Ms()).isGreaterThanOrEqualTo(QUERY_DELAY_MS);
		assertThat(on.p50Ms()).isLessThanOrEqualTo(on.p99Ms());
	}

	@Test
	void collapsedHerdShowsInTheCollapseMeters() {
		CollapseMeters before = CollapseMeters.read(this.http, CatalogueService.PRODUCTS);

		HerdReport report = SampleHttp.read(
				this.http.post("/demo/herd?requests=" + REQUESTS + "&product=8&runs=on", "application/json"),
				HerdReport.class);

		assertThat(report.runs()).singleElement().satisfies((run) -> {
			assertThat(run.errors()).as("%s", run.errorTypes()).isZero();
			assertThat(run.upstreamCalls()).isEqualTo(1);
		});
		CollapseMeters herd = CollapseMeters.read(this.http, CatalogueService.PRODUCTS).minus(before);
		// one load: its leader, the callers that waited for it, and those that came after and hit
		assertThat(herd.leader()).isEqualTo(1);
		assertThat(herd.hit() + herd.leader() + herd.follower()).isEqualTo(REQUESTS);
		assertThat(herd.calls()).isEqualTo(REQUESTS);
		assertThat(herd.loadsSucceeded()).isEqualTo(1);
		assertThat(herd.loadsFailed()).isZero();
		// the demo's concurrency (200) lets many requests wait for the one query
		assertThat(herd.follower()).isPositive();
		assertThat(herd.waits()).isEqualTo(herd.follower());
		// one herd, of the leader and its followers
		assertThat(herd.herds()).isEqualTo(1);
		assertThat(herd.herdCallers()).isEqualTo(herd.leader() + herd.follower()).isBetween(2L, (long) REQUESTS);
		assertThat(herd.inflight()).isZero();
		// the largest herd is not in /actuator/metrics (a distribution summary reports COUNT and TOTAL
		// there since Micrometer 1.16); the registry, and Prometheus' collapse_herd_size_max, have it
		double largest = this.meters.get("collapse.herd.size").tag("name", CatalogueService.PRODUCTS).summary().max();
		assertThat(largest).isBetween((double) herd.herdCallers(), (double) REQUESTS);
	}

	@Test
	void plainTextTableForTerminals() {
		HttpResponse<String> response = this.http.post("/demo/herd?requests=20", "text/plain");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("database queries", "p50 ms", "p99 ms", "errors")
			.containsPattern("collapsing off +20 +20 ")
			.containsPattern("collapsing on +20 +1 ");
	}

	@Test
	void tokenHerdAsksTheIdentityProviderOnceWithCollapsing() {
		HttpResponse<String> response = this.http.post("/demo/token-herd?callers=30", "application/json");
		assertThat(response.statusCode()).isEqualTo(200);
		HerdReport report = SampleHttp.read(response, HerdReport.class);
		assertThat(report.upstream()).isEqualTo("tokens issued");
		assertThat(report.runs().get(0).upstreamCalls()).isEqualTo(30);
		assertThat(report.runs().get(1).upstreamCalls()).isEqualTo(1);
		assertThat(report.runs()).allSatisfy((run) -> assertThat(run.errors()).as("%s", run.errorTypes()).isZero());
	}

	@Test
	void collapsedRunAloneLeavesTheEntryWhenAskedTo() {
		this.collapser.evict(CatalogueService.PRODUCTS, 5L);
		HerdReport first = SampleHttp.read(this.http.post("/demo/herd?requests=50&product=5&runs=on&evict=false",
				"application/json"), HerdReport.class);
		HerdReport second = SampleHttp.read(this.http.post("/demo/herd?requests=50&product=5&runs=on&evict=false",
				"application/json"), HerdReport.class);
		assertThat(first.runs()).singleElement().satisfies((run) -> {
			assertThat(run.mode()).isEqualTo("collapsing on");
			assertThat(run.upstreamCalls()).isEqualTo(1);
		});
		// the entry the first herd stored serves the whole second herd
		assertThat(second.runs()).singleElement().satisfies((run) -> assertThat(run.upstreamCalls()).isZero());
	}

	@Test
	void lastRunOfEachDemoCanBeReadBackHoweverItWasStarted() {
		// a terminal's run, as the README shows it: the page reads it back from here
		assertThat(this.http.post("/demo/herd?requests=20&product=4", "text/plain").statusCode()).isEqualTo(200);
		HerdReport herd = SampleHttp.read(this.http.get("/demo/herd/latest", "application/json"), HerdReport.class);
		assertThat(herd.subject()).startsWith("product 4 ");
		assertThat(herd.requests()).isEqualTo(20);
		assertThat(herd.runs()).hasSize(2);

		HerdReport tokens = SampleHttp.read(this.http.post("/demo/token-herd?callers=10", "application/json"),
				HerdReport.class);
		HerdReport latestTokens = SampleHttp.read(this.http.get("/demo/token-herd/latest", "application/json"),
				HerdReport.class);
		assertThat(latestTokens.number()).isEqualTo(tokens.number()).isGreaterThan(herd.number());
		assertThat(latestTokens.finishedAt()).isEqualTo(tokens.finishedAt());
		// the product demo's last run is still the one above: each demo keeps its own
		assertThat(SampleHttp.read(this.http.get("/demo/herd/latest", "application/json"), HerdReport.class).number())
			.isEqualTo(herd.number());
	}

	@Test
	void refusesAHerdOutsideTheLimits() {
		assertThat(this.http.post("/demo/herd?requests=5&runs=sideways", "application/json").statusCode())
			.isEqualTo(400);
		assertThat(this.http.post("/demo/herd?requests=0", "application/json").statusCode()).isEqualTo(400);
		assertThat(this.http.post("/demo/herd?requests=20001", "application/json").statusCode()).isEqualTo(400);
	}

	@Test
	void unknownProductIsNotFound() {
		HttpResponse<String> response = this.http.post("/demo/herd?requests=5&product=999", "application/json");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("no product 999");
	}

}
