package dev.collapse.sample;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Says why a test is skipped where the person running the build sees it. With
 * {@code redirectTestOutputToFile} (the parent pom sets it), {@link System#err} of a test goes to
 * {@code target/surefire-reports/*-output.txt}, and surefire's console line shows only
 * "Skipped: 1" without the reason. The forked JVM's own standard error is another matter:
 * surefire 3.5 copies each of its lines to Maven's console, {@code -q} or not.
 */
public final class SkipNotice {

	private SkipNotice() {
	}

	/** Writes {@code message} to the test's output file and to Maven's console. */
	public static void tell(String message) {
		String framed = "\n\n" + message + "\n";
		System.err.println(framed);
		// not closed: closing it would close the JVM's standard error
		PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
		console.println(framed);
	}

}
