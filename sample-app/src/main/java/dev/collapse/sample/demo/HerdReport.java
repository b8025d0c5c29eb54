package dev.collapse.sample.demo;

import java.util.List;
import java.util.Locale;

/**
 * Both runs of one demo, with what a reader needs to judge them.
 *
 * @param subject what the herd asked for
 * @param upstream what {@link HerdRun#upstreamCalls()} counts
 * @param requests calls per run
 * @param concurrency calls served at a time
 * @param threads how the calls ran
 * @param upstreamDelayMs time the upstream spends on one call
 * @param connectionPool database connections available, or 0 where the upstream is no database
 * @param cpus processors the JVM sees
 * @param jdk the JDK's version
 * @param collapseEnabled {@code collapse.enabled}: when false the "on" run is not collapsed either
 * @param runs collapsing off, then collapsing on
 * @param number which demo of this application it was, from 1, counting both kinds: the page tells
 * a run it has not shown yet by it
 * @param finishedAt when it finished, ISO-8601
 */
public record HerdReport(String subject, String upstream, int requests, int concurrency, String threads,
		double upstreamDelayMs, int connectionPool, int cpus, String jdk, boolean collapseEnabled, List<HerdRun> runs,
		long number, String finishedAt) {

	/** The runs as a plain-text table, with a line that says how they were made. */
	public String table() {
		StringBuilder text = new StringBuilder();
		text.append(String.format(Locale.ROOT, "%s: %d requests per run, %s, upstream delay %.0f ms%s, %d CPUs, JDK %s%n",
				this.subject, this.requests, this.threads, this.upstreamDelayMs,
				(this.connectionPool > 0) ? ", " + this.connectionPool + " DB connections" : "", this.cpus, this.jdk));
		if (!this.collapseEnabled) {
			text.append("collapse.enabled=false: @Collapsed methods run as plain calls, so no run is collapsed\n");
		}
		String header = String.format(Locale.ROOT, "%-15s %9s %17s %9s %9s %9s %7s%n", "run", "requests",
				this.upstream, "p50 ms", "p99 ms", "max ms", "errors");
		text.append(header);
		for (HerdRun run : this.runs) {
			text.append(String.format(Locale.ROOT, "%-15s %9d %17d %9.1f %9.1f %9.1f %7d%n", run.mode(), run.requests(),
					run.upstreamCalls(), run.p50Ms(), run.p99Ms(), run.maxMs(), run.errors()));
			run.errorTypes()
				.forEach((type, count) -> text.append(String.format(Locale.ROOT, "%15s   %d x %s%n", "", count, type)));
		}
		return text.toString();
	}

}
