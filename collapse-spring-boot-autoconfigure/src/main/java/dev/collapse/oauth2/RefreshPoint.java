package dev.collapse.oauth2;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * When a node renews a token, and until when it may serve it.
 *
 * <p>A token expiring at {@code e} is served while {@code now < e - skew} (its usable end), and
 * renewed from {@code e - skew - u * window} on, {@code u} uniform in {@code [0, 1)} and drawn
 * once per node and token: the nodes of a fleet reach their renewal points spread over the
 * window instead of in the same second, and the first one renews for all when tokens are shared.
 * Both margins are capped at half the token's lifetime, so that a short-lived token is still
 * served for half its life instead of being renewed on every call.
 */
final class RefreshPoint {

	private final long skewMillis;

	private final long windowMillis;

	/** This node's draw: the same token gets the same point on every call, another node another one. */
	private final long nodeSeed;

	RefreshPoint(Duration clockSkew, Duration refreshWindow, long nodeSeed) {
		if (clockSkew.isNegative() || refreshWindow.isNegative()) {
			throw new IllegalArgumentException("clock-skew and refresh-window must be zero or positive; were "
					+ clockSkew + " and " + refreshWindow);
		}
		this.skewMillis = clockSkew.toMillis();
		this.windowMillis = refreshWindow.toMillis();
		this.nodeSeed = nodeSeed;
	}

	/** The first instant at which {@code token} is no longer served. */
	Instant usableUntil(OAuth2AccessToken token) {
		Instant expiresAt = token.getExpiresAt();
		if (expiresAt == null) {
			return Instant.MIN;
		}
		return expiresAt.minusMillis(Math.min(this.skewMillis, halfLife(token, expiresAt)));
	}

	/** The instant from which this node renews {@code token}; never after {@link #usableUntil}. */
	Instant refreshAt(OAuth2AccessToken token) {
		Instant expiresAt = token.getExpiresAt();
		if (expiresAt == null) {
			return Instant.MIN;
		}
		double u = new SplittableRandom(this.nodeSeed ^ (expiresAt.toEpochMilli() * 0x9E3779B97F4A7C15L)).nextDouble();
		long lead = this.skewMillis + (long) (u * this.windowMillis);
		return expiresAt.minusMillis(Math.min(lead, halfLife(token, expiresAt)));
	}

	private static long halfLife(OAuth2AccessToken token, Instant expiresAt) {
		Instant issuedAt = token.getIssuedAt();
		return (issuedAt != null) ? Math.max(0, Duration.between(issuedAt, expiresAt).toMillis() / 2) : Long.MAX_VALUE;
	}

}
