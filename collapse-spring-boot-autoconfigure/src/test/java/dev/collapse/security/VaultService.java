package dev.collapse.security;

import java.util.concurrent.atomic.AtomicInteger;

import dev.collapse.annotation.Collapsed;

/** The annotated methods of the security tests; every load goes to the shared {@link Loads}. */
public class VaultService {

	private final Loads loads;

	private final String node;

	public VaultService(Loads loads, String node) {
		this.loads = loads;
		this.node = node;
	}

	@Collapsed(name = "vault", key = "#id", ttl = "1m", jitter = "0")
	public Secret find(String id) throws Exception {
		return (Secret) this.loads.load(this.node, id);
	}

	/** Every argument is part of the key. */
	@Collapsed(name = "texts", ttl = "1m", jitter = "0")
	public String text(String a, String b) throws Exception {
		return (String) this.loads.load(this.node, new String[] { a, b });
	}

	/** The loads of every node of a test, counted. */
	public static final class Loads {

		/** What a load returns. */
		@FunctionalInterface
		public interface Behaviour {

			Object load(String node, Object key) throws Exception;

		}

		private final AtomicInteger count = new AtomicInteger();

		private volatile Behaviour behaviour = (node, key) -> new Secret(1, "v-" + key);

		public void behave(Behaviour behaviour) {
			this.behaviour = behaviour;
		}

		Object load(String node, Object key) throws Exception {
			this.count.incrementAndGet();
			return this.behaviour.load(node, key);
		}

		public int count() {
			return this.count.get();
		}

		public void reset() {
			this.count.set(0);
		}

	}

}
