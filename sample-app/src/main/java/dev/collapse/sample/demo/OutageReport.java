package dev.collapse.sample.demo;

import java.time.Instant;
import java.util.List;

/**
 * What one outage demo measured: the upstream's requests in each time bucket of each run, and the
 * callers' outcomes. Serialized as JSON for the page.
 *
 * @param number position of this report among the outage demos run since startup
 * @param finishedAt when the last run ended
 * @param callers concurrent callers in each run
 * @param durationMs length of each run
 * @param bucketMs width of a bucket of {@link Run#requestsPerBucket()}
 * @param outageFromMs start of the outage, from the start of the run
 * @param outageToMs end of the outage (the upstream answers again from here)
 * @param runs collapsing off, on, and on with failure-ttl, in that order
 */
public record OutageReport(long number, Instant finishedAt, int callers, long durationMs, long bucketMs,
		long outageFromMs, long outageToMs, List<Run> runs) {

	/**
	 * One run.
	 *
	 * @param mode {@code off}, {@code on} or {@code failure-ttl}
	 * @param label what the page shows
	 * @param ttlMs how long a token is reused; 0 when nothing is collapsed
	 * @param failureTtlMs how long a failure is served; 0 when failures are not cached
	 * @param requestsPerBucket the upstream's requests in each bucket of {@code bucketMs}
	 * @param upstreamRequests all the upstream's requests
	 * @param outageRequests the upstream's requests while it was down: the storm
	 * @param successes callers' calls that got a token
	 * @param failures callers' calls that failed
	 */
	public record Run(String mode, String label, long ttlMs, long failureTtlMs, int[] requestsPerBucket,
			long upstreamRequests, long outageRequests, long successes, long failures) {
	}

}
