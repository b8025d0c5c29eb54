package dev.collapse.sample;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.collapse.core.Collapser;
import dev.collapse.sample.catalog.CatalogueService;
import dev.collapse.sample.demo.HerdReport;
import dev.collapse.sample.idp.IdentityProviderClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code collapse} actuator endpoint of the sample, over HTTP, as an operator uses it. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class CollapseEndpointTest {

	@LocalServerPort
	int port;

	@Autowired
	Collapser collapser;

	SampleHttp http;

	@BeforeEach
	void connect() {
		this.http = new SampleHttp(this.port);
	}

	@Test
	void listsEveryInstanceWithTheSettingsOfApplicationYml() {
		HttpResponse<String> response = this.http.get("/actuator/collapse");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = SampleHttp.tree(response);
		assertThat(body.get("redis").get("state").asString()).isEqualTo("off");
		JsonNode instances = body.get("instances");
		// oauth2-token exists once a token was asked for (by another test of this context, maybe); the
		// cleanup job's fire times are keyed through an instance of their own
		assertThat(names(instances))
			.contains(CatalogueService.SUMMARY, "cleanup", "outage-auth", "outage-auth-failure-ttl", CatalogueService.PRODUCTS)
			.isSubsetOf(CatalogueService.SUMMARY, "cleanup", IdentityProviderClient.TOKEN, "outage-auth",
					"outage-auth-failure-ttl", CatalogueService.PRODUCTS);
		assertThat(names(body.get("schedules"))).containsExactly("cleanup");
		assertSettings(instances.get(CatalogueService.PRODUCTS), "PT5M", "PT30S", "PT30S");
		// a jitter in % of the ttl is shown as configured, and as the time it comes to
		assertSettings(instances.get(CatalogueService.SUMMARY), "PT1M", "10.0%", "PT6S");
		for (JsonNode instance : instances) {
			assertThat(instance.get("settings").get("mode").asString()).isEqualTo("local");
			assertThat(names(instance.get("calls"))).containsExactly("hit", "leader", "follower", "remote", "stale",
					"fallback", "failure");
			assertThat(names(instance.get("loads"))).containsExactly("success", "error");
		}
	}

	@Test
	void herdShowsInTheCountsAndAmongTheHerdsWithItsKeyHashed() {
		long before = calls(CatalogueService.PRODUCTS, "leader");

		HerdReport report = SampleHttp.read(this.http.post("/demo/herd?requests=50&product=9&runs=on", "application/json"),
				HerdReport.class);
		assertThat(report.runs().get(0).upstreamCalls()).isEqualTo(1);

		HttpResponse<String> response = this.http.get("/actuator/collapse/" + CatalogueService.PRODUCTS);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode products = SampleHttp.tree(response);
		assertThat(products.get("calls").get("leader").asLong() - before).isEqualTo(1);
		assertThat(products.get("inflight").asInt()).isZero();
		List<JsonNode> herds = new ArrayList<>();
		products.get("herds").forEach(herds::add);
		// the herd of product 9 is there under the hash of "9"; the key itself is never shown
		assertThat(herds).filteredOn((herd) -> herd.get("key").asString().equals(hash("9")))
			.singleElement()
			.satisfies((herd) -> assertThat(herd.get("callers").asInt()).isBetween(2, 50));
		assertThat(herds).allSatisfy((herd) -> assertThat(herd.get("key").asString()).matches("sha256:[0-9a-f]{16}"));
	}

	@Test
	void deleteEvictsOneKeySoTheNextRequestQueriesTheDatabaseAgain() {
		this.collapser.evict(CatalogueService.PRODUCTS, 10L);
		assertThat(queriesFor("/api/products/10")).isEqualTo(1);
		assertThat(queriesFor("/api/products/10")).isZero();

		HttpResponse<String> eviction = this.http.delete("/actuator/collapse/products?key=10");

		assertThat(eviction.statusCode()).isEqualTo(200);
		JsonNode answer = SampleHttp.tree(eviction);
		assertThat(answer.get("instance").asString()).isEqualTo(CatalogueService.PRODUCTS);
		assertThat(answer.get("known").asBoolean()).isTrue();
		assertThat(answer.get("scope").asString()).isEqualTo("key");
		assertThat(answer.get("key").asString()).isEqualTo(hash("10"));
		assertThat(answer.get("evicted").asBoolean()).as("the entry was there").isTrue();
		assertThat(queriesFor("/api/products/10")).isEqualTo(1);
		assertThat(queriesFor("/api/products/10")).isZero();
	}

	@Test
	void deleteOfAnUnknownInstanceEvictsNothing() {
		assertThat(queriesFor("/api/products/11")).isLessThanOrEqualTo(1);

		HttpResponse<String> eviction = this.http.delete("/actuator/collapse/prodcuts?key=11");

		assertThat(eviction.statusCode()).as("a mistyped name fails").isEqualTo(404);
		assertThat(SampleHttp.tree(eviction).get("known").asBoolean()).isFalse();
		assertThat(queriesFor("/api/products/11")).isZero();
		assertThat(this.http.get("/actuator/collapse/prodcuts").statusCode()).isEqualTo(404);
	}

	private long queriesFor(String path) {
		double before = this.http.counter("sample.db.queries");
		assertThat(this.http.get(path).statusCode()).isEqualTo(200);
		return Math.round(this.http.counter("sample.db.queries") - before);
	}

	private long calls(String instance, String result) {
		return SampleHttp.tree(this.http.get("/actuator/collapse/" + instance)).get("calls").get(result).asLong();
	}

	private static void assertSettings(JsonNode instance, String ttl, String jitter, String jitterMax) {
		JsonNode settings = instance.get("settings");
		assertThat(settings.get("ttl").asString()).isEqualTo(ttl);
		assertThat(settings.get("jitter").asString()).isEqualTo(jitter);
		assertThat(settings.get("jitterMax").asString()).isEqualTo(jitterMax);
		assertThat(settings.get("waitTimeout").asString()).isEqualTo("PT10S");
	}

	private static List<String> names(JsonNode object) {
		List<String> names = new ArrayList<>();
		object.propertyNames().forEach(names::add);
		return names;
	}

	/** What the endpoint shows for a key: the first 16 hex digits of the SHA-256 of its text. */
	private static String hash(String keyText) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyText.getBytes(StandardCharsets.UTF_8));
			return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
