package dev.collapse.sample.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;

import static org.assertj.core.api.Assertions.assertThat;

class ProductQueryCounterTest {

	@Test
	void countsExecutedReadsOfTheProductsTableOnly() throws Exception {
		EmbeddedDatabase database = new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
			.generateUniqueName(true)
			.addScript("schema.sql")
			.addScript("data.sql")
			.build();
		try {
			ProductQueryCounter counter = new ProductQueryCounter();
			DataSource counted = (DataSource) counter.postProcessAfterInitialization(database, "dataSource");
			try (Connection connection = counted.getConnection()) {
				PreparedStatement byId = connection.prepareStatement("SELECT name FROM sample_products WHERE id = ?");
				byId.setLong(1, 1);
				read(byId.executeQuery());
				byId.setLong(1, 2);
				read(byId.executeQuery());
				try (Statement plain = connection.createStatement()) {
					read(plain.executeQuery("select count(*) from SAMPLE_PRODUCTS"));
					read(plain.executeQuery("SELECT 1"));
					plain.executeUpdate("UPDATE sample_products SET price_cents = price_cents WHERE id = 1");
				}
				// prepared but never executed: the database never saw it
				connection.prepareStatement("SELECT * FROM sample_products").close();
			}
			assertThat(counter.count()).isEqualTo(3);
		}
		finally {
			database.shutdown();
		}
	}

	@Test
	void wrappedPoolCanStillBeFoundByUnwrapping() throws Exception {
		// Boot's pool metrics and the demo's report find Hikari behind the wrapper this way
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setJdbcUrl("jdbc:h2:mem:unwrap");
			DataSource counted = (DataSource) new ProductQueryCounter().postProcessAfterInitialization(pool,
					"dataSource");
			assertThat(counted).isNotSameAs(pool);
			assertThat(counted.isWrapperFor(HikariConfigMXBean.class)).isTrue();
			assertThat(counted.unwrap(HikariConfigMXBean.class)).isSameAs(pool);
		}
	}

	private static void read(ResultSet rows) throws Exception {
		try (rows) {
			while (rows.next()) {
				rows.getObject(1);
			}
		}
	}

}
