package dev.collapse.sample;

/**
 * The {@code collapse.*} meters of one instance, read over HTTP from {@code /actuator/metrics} as
 * an operator would read them. Tests compare two readings ({@link #minus}), never absolute values:
 * the application context, and its meters, are shared by several test classes.
 *
 * @param hit {@code collapse.calls{result=hit}}
 * @param leader {@code collapse.calls{result=leader}}
 * @param follower {@code collapse.calls{result=follower}}
 * @param remote {@code collapse.calls{result=remote}}
 * @param stale {@code collapse.calls{result=stale}}
 * @param fallback {@code collapse.calls{result=fallback}}
 * @param loadsSucceeded {@code collapse.loads{outcome=success}} count
 * @param loadsFailed {@code collapse.loads{outcome=error}} count
 * @param herds {@code collapse.herd.size} count: one per load
 * @param herdCallers {@code collapse.herd.size} total: callers served by those loads
 * @param waits {@code collapse.wait} count
 * @param inflight {@code collapse.inflight}
 */
public record CollapseMeters(long hit, long leader, long follower, long remote, long stale, long fallback,
		long loadsSucceeded, long loadsFailed, long herds, long herdCallers, long waits, long inflight) {

	public static CollapseMeters read(SampleHttp http, String instance) {
		String name = "name:" + instance;
		return new CollapseMeters(calls(http, name, "hit"), calls(http, name, "leader"), calls(http, name, "follower"),
				calls(http, name, "remote"), calls(http, name, "stale"), calls(http, name, "fallback"),
				count(http, "collapse.loads", "COUNT", name, "outcome:success"),
				count(http, "collapse.loads", "COUNT", name, "outcome:error"),
				count(http, "collapse.herd.size", "COUNT", name), count(http, "collapse.herd.size", "TOTAL", name),
				count(http, "collapse.wait", "COUNT", name), count(http, "collapse.inflight", "VALUE", name));
	}

	/** What happened between {@code before} and this reading; the gauge {@link #inflight} stays as read. */
	public CollapseMeters minus(CollapseMeters before) {
		return new CollapseMeters(this.hit - before.hit, this.leader - before.leader, this.follower - before.follower,
				this.remote - before.remote, this.stale - before.stale, this.fallback - before.fallback,
				this.loadsSucceeded - before.loadsSucceeded, this.loadsFailed - before.loadsFailed,
				this.herds - before.herds, this.herdCallers - before.herdCallers, this.waits - before.waits,
				this.inflight);
	}

	/** Every call, however it was served. */
	public long calls() {
		return this.hit + this.leader + this.follower + this.remote + this.stale + this.fallback;
	}

	private static long calls(SampleHttp http, String name, String result) {
		return count(http, "collapse.calls", "COUNT", name, "result:" + result);
	}

	private static long count(SampleHttp http, String meter, String statistic, String... tags) {
		return Math.round(http.statistic(meter, statistic, tags));
	}

}
