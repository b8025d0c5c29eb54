package dev.collapse.sample.demo;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.collapse.sample.SampleHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the outage demo over HTTP (short runs) and checks the storm it shows: while the server is
 * down, callers that retry at once send it a flood without collapsing, one request at a time with
 * collapsing, and one per failure window with failure-ttl.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OutageDemoTest {

	private static final int CALLERS = 30;

	private static final long DURATION_MS = 2000;

	@LocalServerPort
	int port;

	@Test
	void failureTtlSparesTheServerTheStormWhileItIsDown() {
		SampleHttp http = new SampleHttp(this.port);
		HttpResponse<String> response = http.post("/demo/outage?callers=" + CALLERS + "&durationMs=" + DURATION_MS,
				"application/json");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode report = SampleHttp.tree(response);
		assertThat(report.get("callers").asInt()).isEqualTo(CALLERS);
		assertThat(report.get("outageFromMs").asLong()).isEqualTo(400);
		assertThat(report.get("outageToMs").asLong()).isEqualTo(1400);
		JsonNode off = report.get("runs").get(0);
		JsonNode on = report.get("runs").get(1);
		JsonNode failureTtl = report.get("runs").get(2);
		assertThat(off.get("mode").asString()).isEqualTo("off");
		assertThat(on.get("mode").asString()).isEqualTo("on");
		assertThat(failureTtl.get("mode").asString()).isEqualTo("failure-ttl");
		assertThat(failureTtl.get("failureTtlMs").asLong()).isEqualTo(500);
		for (JsonNode run : report.get("runs")) {
			assertThat(run.get("requestsPerBucket")).hasSize(20);
			int sum = 0;
			for (JsonNode bucket : run.get("requestsPerBucket")) {
				sum += bucket.asInt();
			}
			assertThat(sum).isEqualTo(run.get("upstreamRequests").asInt());
			assertThat(run.get("successes").asLong()).as("the server answers before and after the outage").isPositive();
			assertThat(run.get("failures").asLong()).as("and refuses during it").isPositive();
		}
		long stormOff = off.get("outageRequests").asLong();
		long stormOn = on.get("outageRequests").asLong();
		long stormFailureTtl = failureTtl.get("outageRequests").asLong();
		// a 1 s outage: callers retrying every 10 ms send hundreds of requests; with failure-ttl
		// 500ms (plus at most 10%), the server sees about one request per window: 2 or 3 on a quiet
		// machine, 7 seen once in a loaded full build (callers late to the first failure)
		assertThat(stormFailureTtl).isBetween(1L, 10L);
		assertThat(stormFailureTtl * 20).isLessThan(stormOff);
		assertThat(stormFailureTtl).isLessThan(stormOn);
		assertThat(stormOn).isLessThan(stormOff);
	}

}
