package dev.collapse.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample, under {@code sample.*}.
 *
 * @param queryDelay time the database spends on each product query, spent inside the SQL
 * statement so that the connection stays busy as it would with a real slow query
 * @param demo the herd demo
 * @param idp the identity provider and its client
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue("50ms") Duration queryDelay, @DefaultValue Demo demo,
		@DefaultValue Idp idp) {

	/**
	 * @param requests requests fired at one product per run when the request names no number
	 * @param maxRequests largest number of requests one run accepts
	 * @param concurrency requests served at the same time, like a servlet container's worker
	 * threads; the others queue, and their queueing counts in their latency
	 * @param productId product the herd asks for when the request names none
	 */
	public record Demo(@DefaultValue("2000") int requests, @DefaultValue("20000") int maxRequests,
			@DefaultValue("200") int concurrency, @DefaultValue("1") long productId) {
	}

	/**
	 * @param tokenLifetime lifetime of the tokens the fake identity provider issues
	 * @param issueDelay time the fake identity provider takes to issue one token
	 * @param tokenUri where the client asks for tokens; empty means this application's own fake
	 * identity provider
	 */
	public record Idp(@DefaultValue("5m") Duration tokenLifetime, @DefaultValue("100ms") Duration issueDelay,
			@DefaultValue("") String tokenUri) {
	}

}
