package dev.collapse.oauth2;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import static org.assertj.core.api.Assertions.assertThat;

/** Where each node renews a token, and until when it serves it. */
class RefreshPointTest {

	private static final Instant EXPIRES_AT = Instant.parse("2026-01-01T12:00:00Z");

	private static final OAuth2AccessToken HOUR = token(Duration.ofHours(1));

	@Test
	void renewalPointsOfAThousandsNodesFallUniformlyOverTheWindow() {
		// 10,000 nodes, one token; skew 30 s, window 60 s: points in [exp - 90 s, exp - 30 s], in
		// ten buckets of 6 s expected 1,000 each (sigma 30): each within 5 sigma
		SplittableRandom seeds = new SplittableRandom(16);
		int[] buckets = new int[10];
		for (int node = 0; node < 10_000; node++) {
			RefreshPoint point = new RefreshPoint(Duration.ofSeconds(30), Duration.ofSeconds(60), seeds.nextLong());
			long lead = Duration.between(point.refreshAt(HOUR), EXPIRES_AT).toMillis();
			assertThat(lead).isBetween(30_000L, 90_000L);
			buckets[(int) Math.min(9, (lead - 30_000) / 6_000)]++;
		}
		for (int bucket : buckets) {
			assertThat(bucket).as("renewals per 6 s of the window").isBetween(850, 1150);
		}
	}

	@Test
	void aNodeKeepsItsPointForATokenAndDrawsAnotherForTheNext() {
		RefreshPoint point = new RefreshPoint(Duration.ofSeconds(30), Duration.ofSeconds(60), 7);
		assertThat(point.refreshAt(HOUR)).isEqualTo(point.refreshAt(token(Duration.ofHours(1))));
		OAuth2AccessToken next = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "next", EXPIRES_AT,
				EXPIRES_AT.plus(Duration.ofHours(1)));
		assertThat(Duration.between(point.refreshAt(next), next.getExpiresAt()))
			.isNotEqualTo(Duration.between(point.refreshAt(HOUR), EXPIRES_AT));
	}

	@Test
	void servedUntilTheSkewAndAShortLivedTokenForHalfItsLife() {
		RefreshPoint point = new RefreshPoint(Duration.ofSeconds(30), Duration.ofSeconds(60), 7);
		assertThat(point.usableUntil(HOUR)).isEqualTo(EXPIRES_AT.minusSeconds(30));
		OAuth2AccessToken short20s = token(Duration.ofSeconds(20));
		assertThat(point.usableUntil(short20s)).isEqualTo(EXPIRES_AT.minusSeconds(10));
		assertThat(point.refreshAt(short20s)).isEqualTo(EXPIRES_AT.minusSeconds(10));
		OAuth2AccessToken noExpiry = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "x", null, null);
		assertThat(point.usableUntil(noExpiry)).as("a token without an expiry is never served from a store")
			.isEqualTo(Instant.MIN);
	}

	private static OAuth2AccessToken token(Duration lifetime) {
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "value", EXPIRES_AT.minus(lifetime), EXPIRES_AT);
	}

}
