package dev.collapse.oauth2;

import java.time.Duration;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.oauth2.ClientNodes.Stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * A token is renewed ahead of its expiry, at the node's point of the refresh window; a renewal
 * that fails keeps the current token only while it is usable, and no token is served within the
 * clock skew of its expiry. One node, a real authorization server, the node's clock set by hand;
 * through the blocking manager and through the reactive one.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenExpiryTest {

	@RegisterExtension
	static AuthorizationServer server = AuthorizationServer.issuing(Duration.ofHours(1));

	@ParameterizedTest
	@EnumSource(Stack.class)
	void renewedAheadOfExpiryAndNeverServedPastItsSkew(Stack stack, CapturedOutput output) {
		try (ClientNodes node = ClientNodes.start(stack, 1, server, null, "collapse.oauth2.client.clock-skew=30s",
				"collapse.oauth2.client.refresh-window=60s")) {
			TokenRenewals provider = node.renewals(0);
			int before = server.requests();
			OAuth2AccessToken first = node.token(0);
			assertThat(server.requests() - before).isEqualTo(1);

			node.clock.set(provider.refreshAt(first).minusMillis(1));
			assertThat(node.token(0).getTokenValue()).as("before the node's renewal point").isEqualTo(first.getTokenValue());
			assertThat(server.requests() - before).isEqualTo(1);

			node.clock.set(provider.refreshAt(first));
			OAuth2AccessToken second = node.token(0);
			assertThat(second.getTokenValue()).as("at the node's renewal point").isNotEqualTo(first.getTokenValue());
			assertThat(server.requests() - before).isEqualTo(2);
			assertThat(provider.refreshAt(first)).as("renewed ahead of the skew")
				.isBefore(first.getExpiresAt().minusSeconds(30).plusMillis(1))
				.isAfterOrEqualTo(first.getExpiresAt().minusSeconds(90));

			// the server goes down: the current token is served while it is usable, then never
			node.clock.reset();
			server.failing(true);
			try {
				node.clock.set(provider.refreshAt(second));
				assertThat(node.token(0).getTokenValue()).as("renewal failed inside the window")
					.isEqualTo(second.getTokenValue());
				node.clock.set(provider.usableUntil(second).minusMillis(1));
				assertThat(node.token(0).getTokenValue()).as("renewal failed, 1 ms before the skew")
					.isEqualTo(second.getTokenValue());
				assertThat(provider.usableUntil(second)).isEqualTo(second.getExpiresAt().minusSeconds(30));
				node.clock.set(provider.usableUntil(second));
				assertThatRuntimeException().as("renewal failed at the skew").isThrownBy(() -> node.token(0));
				assertThat(output.getAll()).contains("Renewing the token of registration 'orders' failed");
			}
			finally {
				server.failing(false);
			}
			OAuth2AccessToken third = node.token(0);
			assertThat(third.getTokenValue()).as("the server back").isNotIn(first.getTokenValue(), second.getTokenValue());
			for (OAuth2AccessToken token : new OAuth2AccessToken[] { first, second, third }) {
				assertThat(output.getAll()).as("the logs").doesNotContain(token.getTokenValue());
			}
		}
	}

}
