package dev.collapse.sample.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts the SQL statements that read the products table, as the database receives them.
 *
 * <p>Why here, at the JDBC boundary: the herd demo must show how many queries reach the database,
 * whichever code path sends them, so the count cannot come from the service whose calls are being
 * collapsed. Every statement of the application goes through the one {@link DataSource}; this
 * post-processor wraps it, and counts a statement when it is executed, not when it is prepared, so
 * a statement run twice counts twice. It works the same on H2 and PostgreSQL, which a database
 * trigger (none fire on SELECT) or an H2-only function could not, and it writes nothing to the
 * database, so it adds no load of its own to the numbers it measures.
 *
 * <p>A statement counts when its SQL is a SELECT that reads {@code sample_products}.
 */
public final class ProductQueryCounter implements BeanPostProcessor {

	static final Pattern READS_PRODUCTS = Pattern.compile("^\\s*(?:with\\b.*)?select\\b.*\\bsample_products\\b",
			Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

	private final LongAdder executed = new LongAdder();

	/** Statements reading the products table executed since the application started. */
	public long count() {
		return this.executed.sum();
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DataSource dataSource && !(bean instanceof CountingDataSource)) {
			return new CountingDataSource(dataSource, this);
		}
		return bean;
	}

	static boolean readsProducts(String sql) {
		return sql != null && READS_PRODUCTS.matcher(sql).find();
	}

	void executed(String sql) {
		if (readsProducts(sql)) {
			this.executed.increment();
		}
	}

	/** Hands out connections whose statements report to the counter. */
	static final class CountingDataSource extends DelegatingDataSource {

		private final ProductQueryCounter counter;

		CountingDataSource(DataSource target, ProductQueryCounter counter) {
			super(target);
			this.counter = counter;
		}

		@Override
		public Connection getConnection() throws SQLException {
			return wrap(super.getConnection());
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return wrap(super.getConnection(username, password));
		}

		private Connection wrap(Connection connection) {
			return proxy(Connection.class, connection, (proxy, method, args) -> {
				Object result = invoke(connection, method, args);
				if (result instanceof PreparedStatement prepared && method.getName().startsWith("prepare")) {
					// prepareStatement(sql, ...) and prepareCall(sql, ...): the SQL is the first argument
					String sql = (String) args[0];
					return proxy(method.getReturnType(), prepared, statementHandler(prepared, sql));
				}
				if (result instanceof Statement statement && method.getName().equals("createStatement")) {
					return proxy(Statement.class, statement, statementHandler(statement, null));
				}
				return result;
			});
		}

		/** Counts execute*() calls; a plain Statement passes its SQL to execute, a prepared one had it. */
		private InvocationHandler statementHandler(Statement statement, String preparedSql) {
			return (proxy, method, args) -> {
				if (method.getName().startsWith("execute")) {
					String sql = (args != null && args.length > 0 && args[0] instanceof String text) ? text : preparedSql;
					this.counter.executed(sql);
				}
				return invoke(statement, method, args);
			};
		}

		@SuppressWarnings("unchecked")
		private static <T> T proxy(Class<?> type, Object target, InvocationHandler handler) {
			return (T) Proxy.newProxyInstance(ProductQueryCounter.class.getClassLoader(), new Class<?>[] { type },
					(proxy, method, args) -> {
						if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
							return invoke(target, method, args);
						}
						return handler.invoke(proxy, method, args);
					});
		}

		private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
			try {
				return method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		}

	}

}
