package dev.collapse.sample.idp;

import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

import dev.collapse.sample.SampleProperties;

/**
 * The sample's one client registration, {@value #ID}: client credentials at the identity provider
 * of {@code sample.idp.token-uri}, or this application's own {@link FakeIdentityProvider}. A
 * repository of its own instead of {@code spring.security.oauth2.client.registration.*}: the fake's
 * address is known only once the server runs on its (possibly random) port.
 */
@Component
public class IdpRegistration implements ClientRegistrationRepository {

	/** The registration id. */
	public static final String ID = "idp";

	private final Environment environment;

	private final String tokenUri;

	private volatile @Nullable ClientRegistration registration;

	public IdpRegistration(SampleProperties properties, Environment environment) {
		this.environment = environment;
		this.tokenUri = properties.idp().tokenUri();
	}

	@Override
	public @Nullable ClientRegistration findByRegistrationId(String registrationId) {
		if (!ID.equals(registrationId)) {
			return null;
		}
		ClientRegistration registration = this.registration;
		if (registration == null) {
			registration = ClientRegistration.withRegistrationId(ID)
				.clientId("catalogue")
				.clientSecret("demo-secret")
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.tokenUri(tokenUri())
				.build();
			this.registration = registration;
		}
		return registration;
	}

	private String tokenUri() {
		if (!this.tokenUri.isEmpty()) {
			return this.tokenUri;
		}
		return "http://localhost:" + this.environment.getRequiredProperty("local.server.port") + "/idp/token";
	}

}
