package dev.collapse.oauth2;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A real Spring Authorization Server (Boot's auto-configuration) on a free port, with one client
 * that may use client_credentials, counting the token requests it receives. It can be told to
 * fail them, as an authorization server that is down answers. Register it as a static field:
 * {@code @RegisterExtension static AuthorizationServer server = AuthorizationServer.issuing(Duration.ofHours(1));}
 */
final class AuthorizationServer implements BeforeAllCallback, AfterAllCallback {

	static final String CLIENT_ID = "fleet";

	static final String CLIENT_SECRET = "fleet-secret";

	private final Duration accessTokenTimeToLive;

	private ConfigurableApplicationContext context;

	private TokenRequests requests;

	private AuthorizationServer(Duration accessTokenTimeToLive) {
		this.accessTokenTimeToLive = accessTokenTimeToLive;
	}

	/** A server whose access tokens live {@code accessTokenTimeToLive}. */
	static AuthorizationServer issuing(Duration accessTokenTimeToLive) {
		return new AuthorizationServer(accessTokenTimeToLive);
	}

	@Override
	public void beforeAll(ExtensionContext extension) {
		String client = "spring.security.oauth2.authorizationserver.client.fleet.";
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "spring.main.banner-mode=off", "collapse.enabled=false",
					client + "registration.client-id=" + CLIENT_ID,
					client + "registration.client-secret={noop}" + CLIENT_SECRET,
					client + "registration.client-authentication-methods=client_secret_basic",
					client + "registration.authorization-grant-types=client_credentials",
					client + "registration.scopes=orders.read",
					client + "token.access-token-time-to-live=" + this.accessTokenTimeToLive.toSeconds() + "s")
			.run();
		this.context = context;
		this.requests = context.getBean(TokenRequests.class);
	}

	String tokenUri() {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return "http://127.0.0.1:" + port + "/oauth2/token";
	}

	/** Token requests received so far, failed ones included. */
	int requests() {
		return this.requests.count.get();
	}

	/** Whether token requests are answered 503, as by a server that is down. */
	void failing(boolean failing) {
		this.requests.failing = failing;
	}

	/**
	 * Whether token requests are held before they are answered, as by a slow server: from
	 * {@code true} until {@code false}, which lets every held request go on.
	 */
	void holding(boolean holding) {
		if (holding) {
			this.requests.held = new CountDownLatch(1);
		}
		else {
			this.requests.held.countDown();
		}
	}

	@Override
	public void afterAll(ExtensionContext extension) {
		if (this.context != null) {
			this.context.close();
		}
	}

	static final class TokenRequests extends OncePerRequestFilter {

		final AtomicInteger count = new AtomicInteger();

		volatile boolean failing;

		volatile CountDownLatch held = new CountDownLatch(0);

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			if (request.getRequestURI().endsWith("/oauth2/token")) {
				this.count.incrementAndGet();
				try {
					// bounded: a test that forgets to let go fails on its own timeouts, not here
					this.held.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				if (this.failing) {
					response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
					return;
				}
			}
			chain.doFilter(request, response);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		TokenRequests tokenRequests() {
			return new TokenRequests();
		}

		@Bean
		FilterRegistrationBean<TokenRequests> tokenRequestsRegistration(TokenRequests filter) {
			FilterRegistrationBean<TokenRequests> registration = new FilterRegistrationBean<>(filter);
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
