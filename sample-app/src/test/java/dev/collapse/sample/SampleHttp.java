package dev.collapse.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Talks to the running sample over real HTTP, as a user's client would. */
public final class SampleHttp {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	public SampleHttp(int port) {
		this.base = "http://localhost:" + port;
	}

	public String url(String path) {
		return this.base + path;
	}

	public HttpResponse<String> get(String path) {
		return get(path, "application/json");
	}

	public HttpResponse<String> get(String path, String accept) {
		return send(HttpRequest.newBuilder(URI.create(url(path))).header("Accept", accept).GET());
	}

	public HttpResponse<String> post(String path, String accept) {
		return send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Accept", accept)
			.POST(HttpRequest.BodyPublishers.noBody()));
	}

	/** PUT {@code body} as JSON. */
	public HttpResponse<String> put(String path, Object body) {
		return send(HttpRequest.newBuilder(URI.create(url(path)))
			.header("Accept", "application/json")
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
	}

	public HttpResponse<String> delete(String path) {
		return send(HttpRequest.newBuilder(URI.create(url(path))).header("Accept", "application/json").DELETE());
	}

	public static <T> T read(HttpResponse<String> response, Class<T> type) {
		return JSON.readValue(response.body(), type);
	}

	public static JsonNode tree(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	/** Count of a Micrometer counter through the actuator, as the page reads it. */
	public double counter(String meter) {
		return statistic(meter, "COUNT");
	}

	/**
	 * One statistic (COUNT, TOTAL, TOTAL_TIME, MAX, VALUE) of a meter through the actuator, summed
	 * over the meters that match the tags, as {@code GET /actuator/metrics/{meter}?tag=k:v} does.
	 * @param tags {@code "name:products"}, {@code "result:leader"}...
	 */
	public double statistic(String meter, String statistic, String... tags) {
		StringBuilder path = new StringBuilder("/actuator/metrics/").append(meter);
		for (int i = 0; i < tags.length; i++) {
			path.append((i == 0) ? '?' : '&').append("tag=").append(URLEncoder.encode(tags[i], StandardCharsets.UTF_8));
		}
		HttpResponse<String> response = get(path.toString());
		if (response.statusCode() != 200) {
			throw new AssertionError(path + ": HTTP " + response.statusCode());
		}
		for (JsonNode measurement : tree(response).get("measurements")) {
			if (measurement.get("statistic").asString().equals(statistic)) {
				return measurement.get("value").asDouble();
			}
		}
		throw new AssertionError(path + " has no " + statistic + ": " + response.body());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
