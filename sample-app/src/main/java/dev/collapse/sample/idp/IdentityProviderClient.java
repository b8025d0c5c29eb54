package dev.collapse.sample.idp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

import dev.collapse.annotation.Collapsed;
import dev.collapse.sample.SampleProperties;

/**
 * Gets the machine-to-machine token this service presents to its partners: the seed's shared
 * token scenario. Without collapsing, every caller that finds the token expired asks the identity
 * provider for a new one at the same second. With it, one request goes out and the token is reused
 * for {@code collapse.instances.idp-token.ttl} plus a random share of its jitter: its lifetime less
 * a margin that differs from instance to instance, so a fleet does not renew in step either.
 */
@Component
public class IdentityProviderClient {

	/** Instance name of {@link #token()}. */
	public static final String TOKEN = "idp-token";

	private final RestClient http = RestClient.create();

	private final Environment environment;

	private final String tokenUri;

	private final Clock clock = Clock.systemUTC();

	public IdentityProviderClient(SampleProperties properties, Environment environment) {
		this.environment = environment;
		this.tokenUri = properties.idp().tokenUri();
		TokenCacheCheck.verify(environment, properties.idp().tokenLifetime());
	}

	/**
	 * A token valid for a while yet; fetched from the identity provider once per cache period,
	 * whatever the number of callers.
	 */
	@Collapsed(name = TOKEN)
	public AccessToken token() {
		return requestToken();
	}

	/**
	 * Asks the identity provider for a new token, every time: what {@link #token()} does once per
	 * cache period, and what every caller would do without collapsing.
	 */
	public AccessToken requestToken() {
		Instant requested = this.clock.instant();
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("grant_type", "client_credentials");
		form.add("client_id", "catalogue");
		TokenResponse response = this.http.post()
			.uri(tokenUri())
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(form)
			.retrieve()
			.body(TokenResponse.class);
		if (response == null || response.accessToken() == null) {
			throw new IllegalStateException("the identity provider answered without a token");
		}
		// counted from the request, not the answer: the token may have been issued any time in between
		return new AccessToken(response.accessToken(), requested.plusSeconds(response.expiresIn()));
	}

	private String tokenUri() {
		if (!this.tokenUri.isEmpty()) {
			return this.tokenUri;
		}
		// this application's own fake identity provider; the port is known only once the server runs
		return "http://localhost:" + this.environment.getRequiredProperty("local.server.port") + "/idp/token";
	}

	record TokenResponse(@JsonProperty("access_token") String accessToken, @JsonProperty("expires_in") long expiresIn) {
	}

	/** Refuses a cache period that would hand out expired tokens. */
	static final class TokenCacheCheck {

		private TokenCacheCheck() {
		}

		static void verify(Environment environment, Duration lifetime) {
			String instance = "collapse.instances." + TOKEN + ".";
			Duration ttl = environment.getProperty(instance + "ttl", Duration.class,
					environment.getProperty("collapse.defaults.ttl", Duration.class, Duration.ZERO));
			// the library's default jitter is 10% of the ttl
			String jitterKey = environment.containsProperty(instance + "jitter") ? instance + "jitter"
					: "collapse.defaults.jitter";
			String jitter = environment.getProperty(jitterKey, "10%").trim();
			Duration longest = ttl.plus(jitter.endsWith("%") ? percentOf(ttl, jitter)
					: environment.getRequiredProperty(jitterKey, Duration.class));
			if (longest.compareTo(lifetime) >= 0) {
				throw new IllegalStateException(instance + "ttl + jitter (" + longest
						+ " at most) must stay under the token lifetime sample.idp.token-lifetime (" + lifetime
						+ "), or callers would be handed expired tokens");
			}
		}

		private static Duration percentOf(Duration ttl, String jitter) {
			double percent = Double.parseDouble(jitter.substring(0, jitter.length() - 1).trim());
			return Duration.ofNanos(Math.round(ttl.toNanos() * percent / 100));
		}

	}

}
