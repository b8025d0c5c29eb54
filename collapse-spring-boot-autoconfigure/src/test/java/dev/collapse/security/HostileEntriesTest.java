package dev.collapse.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.chaos.Resp;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entries that collapse did not write (a gadget class named in JSON, garbage bytes, a wrong
 * shape, an entry over {@code collapse.redis.max-entry-size}) are refused without instantiating
 * anything they name, loaded again, and overwritten; a result over the size limit is never
 * written.
 */
class HostileEntriesTest {

	static final String PREFIX = "hostile:";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final VaultService.Loads loads = new VaultService.Loads();

	static final AtomicLong versions = new AtomicLong();

	static ConfigurableApplicationContext node0;

	static ConfigurableApplicationContext node1;

	static Resp resp;

	@BeforeAll
	static void start() {
		String[] properties = { "collapse.redis.key-prefix=" + PREFIX, "collapse.redis.max-entry-size=2KB" };
		node0 = VaultApps.start("node0", loads, redis.properties(), properties);
		node1 = VaultApps.start("node1", loads, redis.properties(), properties);
		resp = new Resp(redis.server().port());
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable each : new AutoCloseable[] { resp, node0, node1 }) {
			try {
				if (each != null) {
					each.close();
				}
			}
			catch (Exception ex) {
				// close the others anyway
			}
		}
	}

	@BeforeEach
	void reset() {
		await().atMost(Duration.ofSeconds(10)).until(() -> layer(node0).available() && layer(node1).available());
		loads.reset();
		loads.behave((node, key) -> new Secret(versions.incrementAndGet(), "fresh " + key));
	}

	static VaultService vault(ConfigurableApplicationContext node) {
		return node.getBean(VaultService.class);
	}

	/** The Redis key of {@code id} in instance vault, found by SCAN after a load wrote it. */
	static byte[] entryKey(String id) {
		List<byte[]> keys = resp.scan(PREFIX + "{vault:*" + id + "}");
		assertThat(keys).as("entry of " + id).hasSize(1);
		return keys.get(0);
	}

	static byte[] bytes(Object... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (Object part : parts) {
			byte[] each = (part instanceof byte[] raw) ? raw : part.toString().getBytes(StandardCharsets.UTF_8);
			out.writeBytes(each);
		}
		return out.toByteArray();
	}

	/** A header of a fresh entry, as collapse writes it. */
	static String header() {
		return "c1;" + (System.currentTimeMillis() + 60_000) + ";0;sforeign:1;";
	}

	static Map<String, byte[]> hostileEntries() {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		String gadget = GadgetProbe.class.getName();
		entries.put("gadget-wrapper-array",
				bytes(header(), "[\"" + gadget + "\",{\"version\":99,\"text\":\"evil\"}]"));
		entries.put("gadget-in-a-field",
				bytes(header(), "{\"version\":99,\"text\":{\"@class\":\"" + gadget + "\",\"version\":1}}"));
		entries.put("gadget-typed-object", bytes(header(), "{\"@class\":\"" + gadget + "\"}x"));
		entries.put("garbage-bytes", new byte[] { (byte) 0xFF, (byte) 0xFE, 0, (byte) 0x80, 'c', '1', ';', 0x7F });
		entries.put("garbage-after-header", bytes(header(), new byte[] { (byte) 0xC3, 0x28, (byte) 0xFF, 0, '{' }));
		entries.put("empty", new byte[0]);
		entries.put("bad-header", bytes("c1;soon;0;sforeign:1;{\"version\":99,\"text\":\"evil\"}"));
		entries.put("array-for-a-record", bytes(header(), "[1,2,3]"));
		entries.put("text-for-a-record", bytes(header(), "\"evil\""));
		entries.put("number-for-a-record", bytes(header(), "12"));
		entries.put("wrong-field-type", bytes(header(), "{\"version\":\"not a number\",\"text\":\"evil\"}"));
		entries.put("truncated-json", bytes(header(), "{\"version\":99,\"text\":\"ev"));
		entries.put("over-the-size-limit",
				bytes(header(), "{\"version\":99,\"text\":\"" + "x".repeat(3000) + "\"}"));
		return entries;
	}

	@Test
	void hostileEntriesAreRefusedWithoutInstantiationReloadedAndOverwritten() {
		GadgetProbe.instances.set(0);
		for (Map.Entry<String, byte[]> hostile : hostileEntries().entrySet()) {
			String id = hostile.getKey();
			Secret first = call(node0, id);
			byte[] key = entryKey(id);
			assertThat(resp.text("SET", key, hostile.getValue())).isEqualTo("OK");
			int before = loads.count();

			Secret read = call(node1, id);

			assertThat(read).as(id).isInstanceOf(Secret.class);
			assertThat(read.version()).as(id + ": loaded again, not the hostile entry nor the first value")
				.isGreaterThan(first.version());
			assertThat(read.text()).as(id).isEqualTo("fresh " + id);
			assertThat(loads.count()).as(id).isEqualTo(before + 1);
			String stored = Resp.text(resp.call("GET", key));
			assertThat(stored).as(id + ": overwritten by the reload").startsWith("c1;").contains("\"version\":" + read.version());
			// and the overwritten entry serves the other node without a load, once the reload's
			// message dropped that node's copy of the first value (near cache)
			await().atMost(Duration.ofSeconds(10)).until(() -> call(node0, id).equals(read));
			assertThat(loads.count()).as(id).isEqualTo(before + 1);
		}
		assertThat(GadgetProbe.instances).as("gadget instances").hasValue(0);
		assertThat(layer(node0).available() && layer(node1).available()).as("Redis still in use").isTrue();
	}

	@Test
	void anEntryNamingAGadgetClassIsReadAsTheDeclaredTypeOnly() {
		// Jackson 3 ignores unknown properties by default: "@class" is such a property, never a type
		GadgetProbe.instances.set(0);
		String id = "gadget-object";
		call(node0, id);
		byte[] key = entryKey(id);
		resp.call("SET", key, bytes(header(), "{\"@class\":\"" + GadgetProbe.class.getName()
				+ "\",\"@type\":\"" + GadgetProbe.class.getName() + "\",\"version\":99,\"text\":\"typed\"}"));
		Object read = call(node1, id);
		assertThat(read).isExactlyInstanceOf(Secret.class);
		assertThat(GadgetProbe.instances).hasValue(0);
	}

	@Test
	void aResultOverTheSizeLimitIsNeverWrittenAndOtherNodesLoadItThemselves() {
		loads.behave((node, key) -> new Secret(versions.incrementAndGet(), "y".repeat(3000)));
		Secret big = call(node0, "big");
		assertThat(big.text()).hasSize(3000);
		assertThat(resp.scan(PREFIX + "{vault:*big}")).as("nothing stored").isEmpty();
		assertThat(resp.scan(PREFIX + "{vault:*big}:lock")).as("lease released").isEmpty();
		Secret again = call(node1, "big");
		assertThat(again.text()).hasSize(3000);
		assertThat(loads.count()).isEqualTo(2);
		// a result within the limit still goes through Redis
		loads.behave((node, key) -> new Secret(versions.incrementAndGet(), "small"));
		call(node0, "small");
		call(node1, "small");
		assertThat(loads.count()).isEqualTo(3);
	}

	@Test
	void anEntryKeyOfAnotherRedisTypeIsAMissAndDoesNotTakeRedisOutOfUse() {
		String id = "hash-type";
		call(node0, id);
		byte[] key = entryKey(id);
		resp.call("DEL", key);
		resp.call("HSET", key, "field", "value");
		int before = loads.count();
		Secret read = call(node1, id);
		assertThat(read.text()).isEqualTo("fresh " + id);
		assertThat(loads.count()).isEqualTo(before + 1);
		assertThat(layer(node1).available()).as("one foreign key must not make the node give up Redis").isTrue();
		assertThat(Resp.text(resp.call("TYPE", key))).as("overwritten by the reload").isEqualTo("string");
		// node0's near-cache copy of the first value goes when node1's completion message arrives
		await().atMost(Duration.ofSeconds(10)).until(() -> call(node0, id).equals(read));
		assertThat(loads.count()).isEqualTo(before + 1);
	}

	static Secret call(ConfigurableApplicationContext node, String id) {
		try {
			return vault(node).find(id);
		}
		catch (Exception ex) {
			throw new AssertionError("call of " + id + " failed", ex);
		}
	}

	static RedisDistributedLayer layer(ConfigurableApplicationContext node) {
		return node.getBean(RedisDistributedLayer.class);
	}

}
