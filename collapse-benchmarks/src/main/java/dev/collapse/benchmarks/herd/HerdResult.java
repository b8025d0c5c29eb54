package dev.collapse.benchmarks.herd;

/**
 * What one herd did, measured from the moment the callers were released together.
 *
 * @param row the row's name
 * @param callers how many callers asked for the key
 * @param loads how many times the upstream ran for them
 * @param errors callers that got an exception or a wrong value instead of the value
 * @param wallMillis from the release to the last caller's answer
 * @param p50Millis median caller latency (release to answer)
 * @param p99Millis 99th percentile caller latency
 * @param maxMillis slowest caller
 * @param processCpuMillis CPU time of the whole process during the herd, minus what the idle
 * process burnt over the same time just before it
 * @param callerCpuMillis sum over the callers of their own threads' CPU time inside the call, or
 * a negative number where the JDK does not measure it (virtual threads)
 */
record HerdResult(String row, int callers, int loads, int errors, double wallMillis, double p50Millis,
		double p99Millis, double maxMillis, double processCpuMillis, double callerCpuMillis) {

	static final String CSV_HEADER = "row,callers,upstream_loads,errors,wall_ms,p50_ms,p99_ms,max_ms,process_cpu_ms,caller_cpu_ms";

	String csv() {
		return String.join(",", Csv.quote(this.row), Integer.toString(this.callers), Integer.toString(this.loads),
				Integer.toString(this.errors), Csv.number(this.wallMillis), Csv.number(this.p50Millis),
				Csv.number(this.p99Millis), Csv.number(this.maxMillis), Csv.number(this.processCpuMillis),
				this.callerCpuMillis < 0 ? "" : Csv.number(this.callerCpuMillis));
	}

}
