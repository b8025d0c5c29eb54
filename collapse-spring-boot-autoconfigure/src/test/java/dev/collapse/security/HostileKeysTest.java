package dev.collapse.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.chaos.Resp;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys a hostile caller could send (100 KB long, unicode, braces, NUL bytes, lone surrogates,
 * delimiter tricks) reach distinct Redis keys that stay short, so that distinct keys get distinct
 * values back, through Redis, on another node.
 */
class HostileKeysTest {

	static final String PREFIX = "keys:";

	/** Longest Redis key, in bytes, that any caller's key may produce. */
	static final int KEY_BOUND = 1024;

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final VaultService.Loads loads = new VaultService.Loads();

	static ConfigurableApplicationContext node0;

	static ConfigurableApplicationContext node1;

	@BeforeAll
	static void start() {
		node0 = VaultApps.start("node0", loads, redis.properties(), "collapse.redis.key-prefix=" + PREFIX);
		node1 = VaultApps.start("node1", loads, redis.properties(), "collapse.redis.key-prefix=" + PREFIX);
	}

	@AfterAll
	static void stop() {
		if (node0 != null) {
			node0.close();
		}
		if (node1 != null) {
			node1.close();
		}
	}

	static List<String[]> hostileKeys() {
		String huge = "k".repeat(100 * 1024);
		String emoji = "\uD83D\uDE00";
		List<String[]> keys = new ArrayList<>();
		String[][] pairs = { { huge, "a" }, { huge, "b" }, { huge + "a", "" }, { "a", huge },
				// 100 KB of multi-byte characters: 300 KB of UTF-8
				{ "\u20AC".repeat(100 * 1024), "" }, { "\u20AC".repeat(100 * 1024 - 1) + "\u20AD", "" },
				{ "caf\u00E9", "" }, { "cafe\u0301", "" }, { emoji, "" }, { "\u4E2D\u6587", "" }, { "\u202Eevil", "" },
				{ "\u0000", "" }, { "", "\u0000" }, { "a\u0000b", "" }, { "a", "\u0000b" }, { "\u0000\u0000", "" },
				{ "{", "}" }, { "}", "{" }, { "{a}", "" }, { "a}", "{b" }, { "}{", "" }, { "\\", "}" }, { "\\}", "" },
				{ "a:b", "c" }, { "a", "b:c" }, { "a|b", "" }, { "a", "|b" }, { "s1:a", "" }, { "c2:s1:a", "" },
				{ ":lock", "" }, { "a}:lock", "" }, { "*", "?" }, { "\r\n", "" }, { "\n", "\r" }, { " ", "" },
				{ "", "" }, { "a\uD800", "" }, { "a\uDC00", "" }, { "a?", "" }, { "a\uFFFD", "" }, { "\uDC00\uD800", "" },
				{ "a\\uDC00", "" }, { huge + "\uD800", "" }, { huge + "\uDC00", "" }, { huge + "?", "" } };
		for (String[] pair : pairs) {
			keys.add(pair);
		}
		return keys;
	}

	@Test
	void hostileKeysStayDistinctAndBoundedInRedis() throws Exception {
		List<String[]> keys = hostileKeys();
		Map<List<String>, String> values = new HashMap<>();
		for (int i = 0; i < keys.size(); i++) {
			values.put(List.of(keys.get(i)), "value-" + i);
		}
		assertThat(values).as("the test's keys are distinct").hasSize(keys.size());
		loads.behave((node, key) -> values.get(List.of((String[]) key)));

		for (String[] key : keys) {
			assertThat(node0.getBean(VaultService.class).text(key[0], key[1])).as(describe(key))
				.isEqualTo(values.get(List.of(key)));
		}
		assertThat(loads.count()).isEqualTo(keys.size());

		// another node reads every one back from Redis: the same distinct values, no load
		for (String[] key : keys) {
			assertThat(node1.getBean(VaultService.class).text(key[0], key[1])).as(describe(key))
				.isEqualTo(values.get(List.of(key)));
		}
		assertThat(loads.count()).as("loads after node1 read them all").isEqualTo(keys.size());

		try (Resp resp = new Resp(redis.server().port())) {
			List<byte[]> stored = resp.scan(PREFIX + "*");
			Set<String> distinct = new HashSet<>();
			for (byte[] key : stored) {
				String text = new String(key, StandardCharsets.ISO_8859_1);
				distinct.add(text);
				assertThat(key.length).as("length of a Redis key").isLessThan(KEY_BOUND);
				assertThat(resp.number("STRLEN", key)).as("length of an entry").isLessThan(KEY_BOUND);
			}
			assertThat(distinct).as("one Redis key per hostile key, nothing else").hasSize(keys.size());
		}
	}

	private static String describe(String[] key) {
		StringBuilder text = new StringBuilder();
		for (String part : key) {
			String shown = (part.length() > 20) ? part.substring(0, 10) + "...(" + part.length() + " chars)" : part;
			text.append('[');
			shown.chars().forEach((c) -> text.append((c < 0x20 || c > 0x7E) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
			text.append(']');
		}
		return text.toString();
	}

}
