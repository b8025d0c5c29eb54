package dev.collapse.benchmarks.herd;

/**
 * What one herd did. The callers are released together by a latch; each one's latency runs from
 * its own start of the call (just after the latch let it through) to its answer.
 *
 * @param row the row's name
 * @param warmUps warm-up herds the row ran before this one (0 for a warm-up herd itself)
 * @param callers how many callers asked for the key
 * @param loads how many times the upstream ran for them
 * @param errors callers that got an exception or a wrong value instead of the value
 * @param wallMillis from the release of the latch to the last caller's answer
 * @param p50Millis median caller latency
 * @param p99Millis 99th percentile caller latency
 * @param maxMillis slowest caller
 * @param joined callers whose call began before the one load ended: the leader and the followers
 * that waited for it (the others found the value stored); -1 when the upstream ran more than once
 * @param wakeP50Millis median time from the end of the one load to a joined caller's answer; NaN
 * when the upstream ran more than once
 * @param wakeP99Millis 99th percentile of the same
 * @param processCpuMillis CPU time of the whole process during the herd, minus what the idle
 * process burnt over the same time just before it
 * @param callerCpuMillis sum over the callers of their own threads' CPU time inside the call, or
 * a negative number where the JDK does not measure it (virtual threads)
 */
record HerdResult(String row, int warmUps, int callers, int loads, int errors, double wallMillis, double p50Millis,
		double p99Millis, double maxMillis, int joined, double wakeP50Millis, double wakeP99Millis,
		double processCpuMillis, double callerCpuMillis) {

	static final String CSV_HEADER = "row,warm_up_herds,callers,upstream_loads,errors,wall_ms,p50_ms,p99_ms,max_ms,"
			+ "joined_the_load,wake_p50_ms,wake_p99_ms,process_cpu_ms,caller_cpu_ms";

	String csv() {
		return String.join(",", Csv.quote(this.row), Integer.toString(this.warmUps), Integer.toString(this.callers), Integer.toString(this.loads),
				Integer.toString(this.errors), Csv.number(this.wallMillis), Csv.number(this.p50Millis),
				Csv.number(this.p99Millis), Csv.number(this.maxMillis),
				this.joined < 0 ? "" : Integer.toString(this.joined), Csv.number(this.wakeP50Millis),
				Csv.number(this.wakeP99Millis), Csv.number(this.processCpuMillis),
				this.callerCpuMillis < 0 ? "" : Csv.number(this.callerCpuMillis));
	}

}
