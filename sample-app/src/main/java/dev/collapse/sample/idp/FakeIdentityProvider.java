package dev.collapse.sample.idp;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.collapse.sample.SampleProperties;

/**
 * Stands in for an OAuth 2 identity provider: a client-credentials token endpoint that takes a
 * while to answer and counts the tokens it issues. It checks no credentials; it is a demo prop.
 */
@RestController
@RequestMapping("/idp")
public class FakeIdentityProvider {

	private final SecureRandom random = new SecureRandom();

	private final AtomicLong issued = new AtomicLong();

	private final SampleProperties.Idp settings;

	public FakeIdentityProvider(SampleProperties properties) {
		this.settings = properties.idp();
	}

	@PostMapping(path = "/token", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
	Map<String, Object> token(@RequestParam("grant_type") String grantType) throws InterruptedException {
		if (!"client_credentials".equals(grantType)) {
			throw new UnsupportedGrantTypeException();
		}
		// the work of signing a token, and the reason a herd of token requests hurts
		Thread.sleep(this.settings.issueDelay().toMillis());
		byte[] bytes = new byte[24];
		this.random.nextBytes(bytes);
		this.issued.incrementAndGet();
		return Map.of("access_token", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), "token_type",
				"Bearer", "expires_in", this.settings.tokenLifetime().toSeconds());
	}

	/** Tokens issued since the application started. */
	@GetMapping("/stats")
	Map<String, Long> stats() {
		return Map.of("issued", issued());
	}

	public long issued() {
		return this.issued.get();
	}

	@ResponseStatus(HttpStatus.BAD_REQUEST)
	static class UnsupportedGrantTypeException extends RuntimeException {

		UnsupportedGrantTypeException() {
			super("unsupported_grant_type");
		}

	}

}
