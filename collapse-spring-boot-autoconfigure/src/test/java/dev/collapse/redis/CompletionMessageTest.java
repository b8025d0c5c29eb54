package dev.collapse.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The completion message alone, without Redis: what Java writes (and Lua extends) reads back the same. */
class CompletionMessageTest {

	private static final String TOKEN = "0123abcd:42";

	@Test
	void successNamesTheKeyAndTheToken() {
		CompletionMessage read = CompletionMessage.decode(CompletionMessage.encode(true, TOKEN, "app:{p:1}", false));
		assertThat(read).isEqualTo(new CompletionMessage("app:{p:1}", new Signal(Signal.Kind.SUCCESS, TOKEN, null)));
	}

	@Test
	void failureNamesTheKeyAndTheToken() {
		CompletionMessage read = CompletionMessage.decode(CompletionMessage.encode(false, TOKEN, "app:{p:1}", false));
		assertThat(read).isEqualTo(new CompletionMessage("app:{p:1}", new Signal(Signal.Kind.FAILURE, TOKEN, null)));
	}

	@Test
	void entryAppendedByTheCompletionScriptComesBackWhole() {
		// the script publishes ARGV[5] .. ARGV[2]: the encoded part, then the stored entry
		String entry = "c1;1700000000000;12;0;" + TOKEN + ";{\"id\":1,\n\"name\":\"p1\"}";
		String published = CompletionMessage.encode(true, TOKEN, "app:{p:1}", true) + entry;
		CompletionMessage read = CompletionMessage.decode(published);
		assertThat(read).isEqualTo(new CompletionMessage("app:{p:1}", new Signal(Signal.Kind.SUCCESS, TOKEN, entry)));
	}

	@Test
	void anEntryKeyWithNewlinesAndDigitsRoundTripsInEveryForm() {
		String key = "app:{s1:\n12\nx}";
		assertThat(CompletionMessage.decode(CompletionMessage.encode(true, TOKEN, key, false)).entryKey()).isEqualTo(key);
		assertThat(CompletionMessage.decode(CompletionMessage.encode(false, TOKEN, key, false)).entryKey()).isEqualTo(key);
		CompletionMessage withEntry = CompletionMessage.decode(CompletionMessage.encode(true, TOKEN, key, true) + "\n7\n");
		assertThat(withEntry.entryKey()).isEqualTo(key);
		assertThat(withEntry.signal().entry()).isEqualTo("\n7\n");
	}

	@Test
	void anEmptyEntryAppendedIsAnEmptyEntryNotNone() {
		CompletionMessage read = CompletionMessage.decode(CompletionMessage.encode(true, TOKEN, "k", true));
		assertThat(read.signal().entry()).isEmpty();
	}

	@Test
	void anEvictionNamesTheKeyAndTheNodeThatEvicted() {
		String key = "app:{s1:\n12\nx}";
		CompletionMessage read = CompletionMessage.decode(CompletionMessage.evicted("node-a", key));
		assertThat(read).isEqualTo(new CompletionMessage(key, new Signal(Signal.Kind.EVICTED, "node-a", null)));
	}

	@Test
	void anEvictionOfEveryEntryNamesTheInstanceAndTheGenerationTheScriptAppends() {
		String instancePrefix = "app:{pro\\:ducts\n:";
		// the script publishes ARGV[2] .. generation
		CompletionMessage read = CompletionMessage.decode(CompletionMessage.evictedAll("node-a", instancePrefix) + "42");
		assertThat(read).isEqualTo(
				new CompletionMessage(instancePrefix, new Signal(Signal.Kind.EVICTED_ALL, "node-a", "42")));
	}

	@Test
	void malformedMessagesAreIgnored() {
		String[] malformed = { "", "S", "Stoken", "\nkey", "Qtoken\nkey", "stoken\nkey", "Gnode\n5\nkey", "Etoken\nkey",
				"Etoken\n\nkey", "Etoken\n-1\nkey", "Etoken\n1a\nkey", "Etoken\n4\nkey", "Etoken\n1234567890\nkey",
				"Etoken\n99999999\nkey" };
		for (String message : malformed) {
			assertThat(CompletionMessage.decode(message)).as("'%s'", message).isNull();
		}
	}

	@Test
	void theLargestKeyLengthReadIsNineDigits() {
		// the key fits exactly: ten digits would overflow an int, nine never do
		String key = "k".repeat(3);
		assertThat(CompletionMessage.decode("Etoken\n000000003\n" + key).entryKey()).isEqualTo(key);
	}

}
