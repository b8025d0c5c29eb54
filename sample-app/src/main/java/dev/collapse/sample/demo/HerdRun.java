package dev.collapse.sample.demo;

import java.util.Map;

/**
 * What one herd cost.
 *
 * @param mode which run: collapsing off or on
 * @param requests calls fired
 * @param upstreamCalls work that reached the upstream during the run: database queries, or tokens
 * issued, as counted by the upstream side
 * @param p50Ms median latency, fire to return
 * @param p99Ms 99th percentile latency
 * @param maxMs slowest call
 * @param errors calls that failed or did not finish
 * @param errorTypes errors by exception type
 * @param wallMs time from the first call fired to the last one done
 */
public record HerdRun(String mode, int requests, long upstreamCalls, double p50Ms, double p99Ms, double maxMs,
		long errors, Map<String, Long> errorTypes, double wallMs) {
}
