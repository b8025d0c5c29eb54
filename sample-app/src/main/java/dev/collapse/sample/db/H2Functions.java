package dev.collapse.sample.db;

/**
 * PostgreSQL functions the sample's SQL uses, for the embedded H2 database, declared in
 * {@code schema-h2.sql}, so that one SQL text runs on both databases.
 */
public final class H2Functions {

	private H2Functions() {
	}

	/**
	 * PostgreSQL's {@code pg_sleep(seconds)}: the statement, and its connection, stay busy for
	 * that long, as they do while a real database works on a slow query.
	 */
	public static void pgSleep(double seconds) throws InterruptedException {
		long millis = Math.round(seconds * 1000);
		if (millis > 0) {
			Thread.sleep(millis);
		}
	}

}
