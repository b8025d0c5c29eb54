package dev.collapse.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.LocalStore;

/**
 * The miss path of one JVM: an instance with ttl 0, so that every call leads a flight of its own
 * (join, load timer armed and cancelled, settle, remove) around a load that returns at once; 2
 * threads on 1,024 keys, so that they rarely meet on one. What a cold-key workload pays per call
 * beyond its load.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class MissPathBenchmark {

	static final Long[] IDS = new Long[1024];

	static {
		for (int i = 0; i < IDS.length; i++) {
			IDS[i] = (long) i;
		}
	}

	@State(Scope.Benchmark)
	public static class Registry {

		CollapseRegistry registry;

		CollapseInstance instance;

		@Setup(Level.Trial)
		public void start() {
			this.registry = new CollapseRegistry(new LocalStore(10_000, System::nanoTime),
					(name) -> CollapseSettings.inFlightOnly(Duration.ofSeconds(10)), List.of(), null);
			this.instance = this.registry.instance("misses");
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.registry.close();
		}

	}

	@Benchmark
	public Object miss(Registry state) throws Throwable {
		Long id = IDS[ThreadLocalRandom.current().nextInt(IDS.length)];
		return state.instance.call(id, () -> id);
	}

}
