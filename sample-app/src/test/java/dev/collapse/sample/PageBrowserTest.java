package dev.collapse.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads the page in Debian's headless chromium, runs the demo from its button and reads the
 * numbers it shows. Where chromium or chromedriver is missing the test is skipped with a loud
 * message, except under {@code CI=true}, where it fails: CI must have the browser.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(PageBrowserTest.RequiresBrowser.class)
class PageBrowserTest {

	/** Debian's paths; other systems can name theirs with -Dsample.chromium and -Dsample.chromedriver. */
	private static final Path CHROMIUM = Path.of(System.getProperty("sample.chromium", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path.of(System.getProperty("sample.chromedriver", "/usr/bin/chromedriver"));

	private static final int REQUESTS = 200;

	private static final int CURL_REQUESTS = 40;

	@LocalServerPort
	int port;

	Path profile;

	WebDriver browser;

	@BeforeEach
	void openBrowser() throws IOException {
		// Selenium Manager would try to download a driver; point it at Debian's instead
		System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
		this.profile = Files.createTempDirectory("collapse-chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--window-size=1100,1400", "--user-data-dir=" + this.profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.build();
		this.browser = new ChromeDriver(service, options);
	}

	@AfterEach
	void closeBrowser() throws IOException {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.profile != null) {
			try (Stream<Path> files = Files.walk(this.profile)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
		}
	}

	@Test
	void demoButtonShowsBothRuns() throws IOException {
		this.browser.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(60));
		// the product list is loaded by script: wait for it so the selection is a real product
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#product option"), "Espresso"));

		WebElement requests = this.browser.findElement(By.id("requests"));
		requests.clear();
		requests.sendKeys(String.valueOf(REQUESTS));
		this.browser.findElement(By.id("run-herd")).click();

		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "done"));
		assertThat(cell("off", "requests")).isEqualTo("200");
		assertThat(cell("off", "queries")).isEqualTo("200");
		assertThat(cell("off", "errors")).isEqualTo("0");
		assertThat(cell("on", "requests")).isEqualTo("200");
		assertThat(cell("on", "queries")).isEqualTo("1");
		assertThat(cell("on", "errors")).isEqualTo("0");
		assertThat(Double.parseDouble(cell("off", "p99").replace(",", "")))
			.isGreaterThan(Double.parseDouble(cell("on", "p50").replace(",", "")));
		// one bar per run in the queries chart, two per run in the latency chart
		assertThat(this.browser.findElements(By.cssSelector("#chart-queries rect"))).hasSize(2);
		assertThat(this.browser.findElements(By.cssSelector("#chart-latency rect"))).hasSize(4);
		// the live panel polls every 2 s: it comes to show the meters and the endpoint as they are now
		// (nothing else runs in this application meanwhile, so they hold still)
		SampleHttp http = new SampleHttp(this.port);
		JsonNode products = SampleHttp.tree(http.get("/actuator/collapse/products"));
		long leaders = products.get("calls").get("leader").asLong();
		assertThat(leaders).isPositive();
		long followers = Math.round(http.statistic("collapse.calls", "COUNT", "name:products", "result:follower"));
		long queries = Math.round(http.counter("sample.db.queries"));
		// a poll that began during the demo may show a mix of before and after: wait for one that began after it
		wait.until(ExpectedConditions.and(ExpectedConditions.textToBe(By.id("m-calls-leader"), number(leaders)),
				ExpectedConditions.textToBe(By.id("m-calls-follower"), number(followers)),
				ExpectedConditions.textToBe(By.id("m-db"), number(queries)),
				ExpectedConditions.textToBe(By.id("m-inflight"), "0")));
		// the largest herd of the last hour, from the endpoint: the demo's or larger, a leader and followers
		wait.until(ExpectedConditions.textToBe(By.id("m-herd"), products.get("herds").get(0).get("callers").asString()));
		assertThat(Integer.parseInt(text("m-herd"))).isBetween(2, REQUESTS);
		assertThat(Double.parseDouble(text("m-herd-mean"))).isGreaterThanOrEqualTo(1);
		assertThat(Double.parseDouble(text("m-wait").replace(",", ""))).isPositive();
		assertThat(text("endpoint-state")).isEqualTo("available, Redis layer off");

		screenshot("page.png");
	}

	@Test
	void runStartedWithCurlAppearsOnAnOpenPage() {
		this.browser.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(60));
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#product option"), "Espresso"));

		// as the sample's README does it, and as the page itself does not
		SampleHttp http = new SampleHttp(this.port);
		long number = SampleHttp.tree(http.post("/demo/herd?requests=" + CURL_REQUESTS + "&product=2", "application/json"))
			.get("number")
			.asLong();

		// the page polls every 2 s: it comes to show that run without being reloaded
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "(#" + number + ")"));
		assertThat(cell("off", "requests")).isEqualTo(String.valueOf(CURL_REQUESTS));
		assertThat(cell("off", "queries")).isEqualTo(String.valueOf(CURL_REQUESTS));
		assertThat(cell("on", "requests")).isEqualTo(String.valueOf(CURL_REQUESTS));
		assertThat(cell("on", "queries")).isEqualTo("1");
		assertThat(this.browser.findElements(By.cssSelector("#chart-latency rect"))).hasSize(4);
		assertThat(text("setup")).startsWith("product 2 ");
	}

	@Test
	void outageButtonDrawsTheStormAndItsCure() throws IOException {
		this.browser.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(90));
		WebElement callers = this.browser.findElement(By.id("outage-callers"));
		callers.clear();
		callers.sendKeys("30");
		this.browser.findElement(By.id("run-outage")).click();

		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("outage-status"), "done"));
		// one line per run, each with a point at the start and the end of every 100 ms bucket
		List<WebElement> lines = this.browser.findElements(By.cssSelector("#chart-outage polyline.series"));
		assertThat(lines).extracting((line) -> line.getAttribute("data-mode"))
			.containsExactly("off", "on", "failure-ttl");
		assertThat(lines).allSatisfy((line) -> assertThat(line.getAttribute("points").split(" ")).hasSize(60));
		assertThat(this.browser.findElements(By.cssSelector("#chart-outage .outage-band"))).hasSize(1);
		long stormOff = Long.parseLong(outageCell("off", "storm").replace(",", ""));
		long stormFailureTtl = Long.parseLong(outageCell("failure-ttl", "storm").replace(",", ""));
		assertThat(stormFailureTtl).isPositive();
		assertThat(stormFailureTtl * 20).isLessThan(stormOff);
		assertThat(text("outage-setup")).startsWith("30 callers for 3 s each run");
		((JavascriptExecutor) this.browser).executeScript("document.getElementById('outage').scrollIntoView()");
		screenshot("outage.png");
	}

	@Test
	void latencyChartKeepsEveryLabelInside() throws IOException {
		this.browser.get("http://localhost:" + this.port + "/");
		// latencies of a default run of 2,000 requests on a loaded machine: five digits of milliseconds
		((JavascriptExecutor) this.browser).executeScript("""
				drawCharts([
				  { upstreamCalls: 2000, p50Ms: 9876.5, p99Ms: 19876.5 },
				  { upstreamCalls: 1, p50Ms: 512.3, p99Ms: 1024.6 },
				]);""");
		for (String chart : new String[] { "chart-queries", "chart-latency" }) {
			@SuppressWarnings("unchecked")
			List<Number> overflow = (List<Number>) ((JavascriptExecutor) this.browser).executeScript("""
					const svg = document.getElementById(arguments[0]);
					const width = svg.viewBox.baseVal.width;
					return [...svg.querySelectorAll('text')].map((text) => {
					  const box = text.getBBox();
					  return Math.max(0, box.x + box.width - width, -box.x);
					});""", chart);
			assertThat(overflow).as("pixels of each label outside " + chart).isNotEmpty()
				.allSatisfy((pixels) -> assertThat(pixels.doubleValue()).isZero());
		}
		screenshot("chart.png");
	}

	/**
	 * Skips the class, before the application starts, where the browser is missing; fails it
	 * instead under {@code CI=true}.
	 */
	static final class RequiresBrowser implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
				return ConditionEvaluationResult.enabled("chromium and chromedriver found");
			}
			String message = "*** BROWSER TEST NOT RUN: " + CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing. Install them with: apt-get install -y chromium chromium-driver ***";
			if ("true".equals(System.getenv("CI"))) {
				throw new IllegalStateException(message + " CI=true: the browser test must run in CI.");
			}
			SkipNotice.tell(message);
			return ConditionEvaluationResult.disabled(message);
		}

	}

	private static String number(long value) {
		return String.format(Locale.US, "%,d", value);
	}

	private String text(String id) {
		return this.browser.findElement(By.id(id)).getText();
	}

	private String cell(String mode, String column) {
		return this.browser.findElement(By.cssSelector("#results tr[data-mode='" + mode + "'] ." + column)).getText();
	}

	private String outageCell(String mode, String column) {
		return this.browser.findElement(By.cssSelector("#outage-results tr[data-mode='" + mode + "'] ." + column))
			.getText();
	}

	/** Keeps a picture of the page in target/ for a human to look at; not asserted. */
	private void screenshot(String name) throws IOException {
		Path target = Path.of("target", name);
		Files.createDirectories(target.getParent());
		Files.write(target, ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES));
	}

}
