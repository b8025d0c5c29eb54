package dev.collapse.benchmarks.herd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The few CSV and number formats the harness writes. */
final class Csv {

	private Csv() {
	}

	static String quote(String text) {
		return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
	}

	/** A number with one decimal (empty when there is none), in the locale-independent form a CSV reader expects. */
	static String number(double value) {
		if (Double.isNaN(value)) {
			return "";
		}
		return String.format(Locale.ROOT, "%.1f", value);
	}

	static void write(Path file, String header, List<String> lines) {
		List<String> all = new ArrayList<>();
		all.add(header);
		all.addAll(lines);
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Files.write(file, all, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + file, ex);
		}
	}

}
