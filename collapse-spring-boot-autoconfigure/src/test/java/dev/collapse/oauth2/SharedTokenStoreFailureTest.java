package dev.collapse.oauth2;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code share-tokens}, the nodes that do not get the successor from the shared store (its
 * read fails, or it does not take the token) still ask once per node, not once per caller.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedTokenStoreFailureTest {

	@RegisterExtension
	static RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	static AuthorizationServer server = AuthorizationServer.issuing(Duration.ofHours(1));

	@Test
	void sharedReadsFailingAfterTheRenewalCostOneRequestPerNode(CapturedOutput output) throws Exception {
		try (ClientNodes fleet = ClientNodes.start(4, server, redis, "collapse.oauth2.client.share-tokens=true",
				"test.token-store.reads-fail=true")) {
			herdCostsAtMostOneRequestPerNode(fleet, output);
		}
	}

	@Test
	void dpopTokensStayOnTheirNodeAndCostOneRequestPerNode(CapturedOutput output) throws Exception {
		try (ClientNodes fleet = ClientNodes.start(4, server, redis, "collapse.oauth2.client.share-tokens=true",
				"test.token-type.dpop=true")) {
			herdCostsAtMostOneRequestPerNode(fleet, output);
			assertThat(fleet.token(0).getTokenType().getValue()).isEqualTo("DPoP");
			assertThat(redis.server().cli("--scan", "--pattern", fleet.prefix + "oauth2-token*").trim())
				.as("token entries in Redis").isEmpty();
		}
	}

	/** Fifty callers a node released together: at most one token request per node, and no token logged. */
	private static void herdCostsAtMostOneRequestPerNode(ClientNodes fleet, CapturedOutput output) throws Exception {
		int before = server.requests();
		Set<String> tokens = fleet.herd(50);
		assertThat(server.requests() - before).as("token requests for 200 callers on 4 nodes").isBetween(1, 4);
		assertThat(tokens).as("tokens the callers got").hasSizeBetween(1, 4);
		for (String token : tokens) {
			assertThat(output.getAll()).as("the logs").doesNotContain(token);
		}
	}

}
