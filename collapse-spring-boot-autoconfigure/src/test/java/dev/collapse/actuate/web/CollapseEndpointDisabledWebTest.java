package dev.collapse.actuate.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code collapse.enabled=false} the endpoint answers that collapsing is off: a 404 would look
 * like an endpoint that is not exposed, and send the user looking in the wrong place.
 */
@SpringBootTest(classes = CollapseEndpointDisabledWebTest.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "collapse.enabled=false", "management.endpoints.web.exposure.include=collapse",
				"management.health.redis.enabled=false" })
class CollapseEndpointDisabledWebTest {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void endpointSaysCollapsingIsOff() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/actuator/collapse")).GET());
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.read("$.enabled", Boolean.class)).isFalse();
		assertThat(json.read("$.instances.length()", Integer.class)).isZero();
		assertThat(json.read("$.redis.state", String.class)).isEqualTo("off");
	}

	@Test
	void noInstanceToReadOrEvict() throws Exception {
		assertThat(send(HttpRequest.newBuilder(uri("/actuator/collapse/products")).GET()).statusCode()).isEqualTo(404);
		assertThat(send(HttpRequest.newBuilder(uri("/actuator/collapse/products?key=1")).DELETE()).statusCode())
			.isEqualTo(404);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	@SpringBootConfiguration
	// Spring Security is on the test class path for the OAuth2 client tests; its defaults would
	// put this endpoint behind a generated password
	@EnableAutoConfiguration(excludeName = {
			"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
	static class App {

	}

}
