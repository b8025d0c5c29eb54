package dev.collapse.sample.idp;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.mock.env.MockEnvironment;

import dev.collapse.sample.idp.IdentityProviderClient.TokenCacheCheck;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** A token cached past its lifetime would be handed out expired: startup refuses such settings. */
class TokenCacheCheckTest {

	private static final Duration LIFETIME = Duration.ofMinutes(5);

	@Test
	void acceptsTtlPlusJitterUnderTheLifetime() {
		assertThatNoException().isThrownBy(() -> TokenCacheCheck.verify(environment("4m", "30s"), LIFETIME));
		assertThatNoException().isThrownBy(() -> TokenCacheCheck.verify(environment("4m", "20%"), LIFETIME));
	}

	@Test
	void refusesJitterThatReachesTheLifetime() {
		assertThatIllegalStateException().isThrownBy(() -> TokenCacheCheck.verify(environment("4m", "60s"), LIFETIME))
			.withMessageContaining("collapse.instances.idp-token.ttl + jitter")
			.withMessageContaining("sample.idp.token-lifetime");
		assertThatIllegalStateException()
			.isThrownBy(() -> TokenCacheCheck.verify(environment("4m", "25%"), LIFETIME));
	}

	@Test
	void countsTheDefaultJitterWhenTheInstanceSetsNone() {
		MockEnvironment environment = environment("290s", null);
		// collapse.defaults.jitter is 10% unless set: 290s + 29s is past 5m
		assertThatIllegalStateException().isThrownBy(() -> TokenCacheCheck.verify(environment, LIFETIME));
	}

	private static MockEnvironment environment(String ttl, String jitter) {
		MockEnvironment environment = new MockEnvironment();
		environment.setConversionService(new ApplicationConversionService());
		environment.setProperty("collapse.instances.idp-token.ttl", ttl);
		if (jitter != null) {
			environment.setProperty("collapse.instances.idp-token.jitter", jitter);
		}
		return environment;
	}

}
