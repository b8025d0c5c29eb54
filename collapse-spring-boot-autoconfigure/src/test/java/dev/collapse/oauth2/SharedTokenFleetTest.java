package dev.collapse.oauth2;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.oauth2.ClientNodes.Stack;
import dev.collapse.redis.RedisServerExtension;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "50 microservices share a machine-to-machine JWT. The token expires at the exact same second."
 * Four client applications, fifty callers each, against a real Spring Authorization Server that
 * counts the token requests it receives; callers of the blocking manager, or of the reactive one
 * on threads that must not block.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedTokenFleetTest {

	@RegisterExtension
	static RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	static AuthorizationServer server = AuthorizationServer.issuing(Duration.ofHours(1));

	@ParameterizedTest
	@EnumSource(Stack.class)
	void oneTokenRequestForTheWholeFleetAtStartAndAtExpiry(Stack stack, CapturedOutput output) throws Exception {
		// no refresh window: every node's renewal point is the usable end, so that the clock can be
		// put past all of them while the successor is still fresh (its times come from the real clock)
		try (ClientNodes fleet = ClientNodes.start(stack, 4, server, redis, "collapse.oauth2.client.share-tokens=true",
				"collapse.oauth2.client.refresh-window=0s", "management.endpoint.collapse.show-keys=true",
				"management.endpoints.jmx.exposure.include=collapse", "spring.jmx.enabled=true")) {
			int before = server.requests();
			Set<String> first = fleet.herd(50);
			assertThat(server.requests() - before).as("token requests for 200 callers at start").isEqualTo(1);
			assertThat(first).as("tokens the 200 callers got").hasSize(1);

			OAuth2AccessToken token = fleet.token(0);
			String key = fleet.prefix + "oauth2-token:" + ClientNodes.REGISTRATION.length() + ":"
					+ ClientNodes.REGISTRATION + ":orders-service";
			long ttl = Long.parseLong(redis.server().cli("pttl", key).trim());
			assertThat(ttl).as("the shared entry lives no longer than the token").isPositive()
				.isLessThanOrEqualTo(Duration.ofHours(1).toMillis());

			// 1 ms past: the node that fetched it holds its expiry to the nanosecond, the others to the
			// millisecond as Redis gave it, and each serves it until its own usable end
			fleet.clock.set(fleet.renewals(0).usableUntil(token).plusMillis(1));
			Set<String> second = fleet.herd(50);
			assertThat(server.requests() - before).as("token requests after the token expired for every node")
				.isEqualTo(2);
			assertThat(second).as("tokens the 200 callers got at expiry").hasSize(1).doesNotContainAnyElementsOf(first);
			assertThat(fleet.storeCallsOnNonBlockingThreads()).as("Redis reads and writes on threads that must not block")
				.isZero();

			Set<String> values = Set.of(first.iterator().next(), second.iterator().next());
			for (int node = 0; node < 4; node++) {
				String endpoint = JsonMapper.builder().build()
					.writeValueAsString(fleet.nodes.get(node).getBean(CollapseEndpoint.class).collapse());
				StringBuilder meters = new StringBuilder();
				for (Meter meter : fleet.nodes.get(node).getBean(MeterRegistry.class).getMeters()) {
					meters.append(meter.getId()).append('\n');
				}
				assertThat(endpoint).as("the endpoint of node %s, keys shown", node).contains("oauth2-token");
				assertThat(meters).as("meters of node %s", node).contains("oauth2-token");
				for (String value : values) {
					assertThat(endpoint).as("the endpoint of node %s", node).doesNotContain(value);
					assertThat(meters.toString()).as("meters of node %s", node).doesNotContain(value);
				}
			}
			for (String value : values) {
				assertThat(output.getAll()).as("the logs, dev.collapse at TRACE").doesNotContain(value);
			}
		}
	}

	@Test
	void withoutCollapsingEveryCallerAsks() throws Exception {
		// Spring Security's own manager and provider: the herd the integration stops
		try (ClientNodes fleet = ClientNodes.start(4, server, redis, "collapse.oauth2.client.enabled=false")) {
			// ten callers a node are enough to show it, and each token costs the server a signature
			int before = server.requests();
			fleet.herd(10);
			int requests = server.requests() - before;
			System.out.println("Spring Security's own manager, 4 nodes x 10 callers: " + requests + " token requests");
			assertThat(requests).as("token requests for 40 callers at start").isGreaterThan(4);
		}
	}

	@Test
	void withoutCollapsingEveryReactiveCallerAsksAtExpiry() throws Exception {
		// Spring Security's own reactive manager and provider, the herd of the test above at expiry
		try (ClientNodes fleet = ClientNodes.start(Stack.REACTIVE, 4, server, redis,
				"collapse.oauth2.client.enabled=false")) {
			// one caller a node first, then ten a node at expiry: enough to show it, and each token
			// costs the server a signature (200 took it 10 to 30 s on a loaded 2-core machine)
			OAuth2AccessToken token = fleet.token(0);
			for (int node = 1; node < 4; node++) {
				fleet.token(node);
			}
			// Spring's provider renews from its own clock skew (60 s) before the expiry
			fleet.clock.set(token.getExpiresAt());
			int before = server.requests();
			fleet.herd(10);
			int requests = server.requests() - before;
			System.out.println("Spring Security's own reactive manager, 4 nodes x 10 callers at expiry: " + requests
					+ " token requests");
			assertThat(requests).as("token requests for 40 callers at expiry").isGreaterThan(1);
		}
	}

	@Test
	void withoutSharingEachNodeAsksOnceAndRedisHoldsNoToken() throws Exception {
		try (ClientNodes fleet = ClientNodes.start(4, server, redis)) {
			int before = server.requests();
			Set<String> tokens = fleet.herd(50);
			assertThat(server.requests() - before).as("token requests: one per node").isEqualTo(4);
			assertThat(tokens).hasSize(4);
			assertThat(redis.server().cli("--scan", "--pattern", fleet.prefix + "oauth2-token*").trim())
				.as("token entries in Redis").isEmpty();
		}
	}

}
