package dev.collapse.sample.idp;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.stereotype.Component;

import dev.collapse.oauth2.CollapsedClientCredentialsProvider;

/**
 * Gets the machine-to-machine token this service presents to its partners: the seed's shared
 * token scenario, through Spring Security's OAuth2 client. {@link #token} asks the
 * {@link OAuth2AuthorizedClientManager} collapse configures: one token request at a time per
 * registration, the token renewed at a random point before it expires (a different one on each
 * node), never served within its clock skew. {@link #requestToken} is what each caller would do
 * without it.
 */
@Component
public class IdentityProviderClient {

	/** The collapse instance token renewals go through. */
	public static final String TOKEN = CollapsedClientCredentialsProvider.INSTANCE;

	/** The principal this service asks for tokens as, unless a demo run asks as another. */
	public static final String SERVICE = "catalogue";

	private final OAuth2AuthorizedClientManager manager;

	private final ClientRegistrationRepository registrations;

	private final RestClientClientCredentialsTokenResponseClient plain = new RestClientClientCredentialsTokenResponseClient();

	public IdentityProviderClient(OAuth2AuthorizedClientManager manager, ClientRegistrationRepository registrations) {
		this.manager = manager;
		this.registrations = registrations;
	}

	/** A token valid for a while yet, as this service asks for it before each partner call. */
	public AccessToken token() {
		return token(SERVICE);
	}

	/**
	 * A token for {@code principal}: fetched once for all the callers that ask while none is valid.
	 * A principal nobody asked for yet has no token, as when the last one just expired.
	 */
	public AccessToken token(String principal) {
		OAuth2AuthorizedClient client = this.manager.authorize(
				OAuth2AuthorizeRequest.withClientRegistrationId(IdpRegistration.ID).principal(principal).build());
		if (client == null) {
			throw new IllegalStateException("no token for registration " + IdpRegistration.ID);
		}
		return AccessToken.of(client.getAccessToken());
	}

	/** Asks the identity provider for a new token, every time: every caller without collapsing. */
	public AccessToken requestToken() {
		OAuth2AccessToken token = this.plain
			.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(
					this.registrations.findByRegistrationId(IdpRegistration.ID)))
			.getAccessToken();
		return AccessToken.of(token);
	}

}
