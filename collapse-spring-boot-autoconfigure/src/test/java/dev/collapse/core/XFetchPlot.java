package dev.collapse.core;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * Draws {@code docs/xfetch-probability.png}: the chance that one read refreshes an entry early,
 * {@code exp(−g/(βΔ))}, against the time {@code g} left before expiry, for β = 0.5, 1 and 2 and
 * Δ = 200 ms. Dots are shares of simulated reads drawn by {@link XFetch#shouldRefresh}, so the
 * picture shows the code, not only the formula. Plain AWT, headless: no plotting library needed.
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -B -o -pl collapse-spring-boot-autoconfigure test-compile
 * java -Djava.awt.headless=true \
 *   -cp collapse-spring-boot-autoconfigure/target/classes:collapse-spring-boot-autoconfigure/target/test-classes \
 *   dev.collapse.core.XFetchPlot docs/xfetch-probability.png
 * </pre>
 */
public final class XFetchPlot {

	static final long DELTA_MILLIS = 200;

	static final double[] BETAS = { 0.5, 1, 2 };

	static final Color[] COLORS = { new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c) };

	/** Largest time to expiry shown, in milliseconds (10 Δ). */
	static final long SPAN_MILLIS = 2_000;

	static final int SIMULATED_READS = 20_000;

	private static final int WIDTH = 1000;

	private static final int HEIGHT = 620;

	private static final int LEFT = 90;

	private static final int RIGHT = 40;

	private static final int TOP = 80;

	private static final int BOTTOM = 80;

	private XFetchPlot() {
	}

	public static void main(String[] args) throws IOException {
		File out = new File((args.length > 0) ? args[0] : "docs/xfetch-probability.png");
		File parent = out.getAbsoluteFile().getParentFile();
		if (!parent.isDirectory() && !parent.mkdirs()) {
			throw new IOException("cannot create " + parent);
		}
		ImageIO.write(draw(), "png", out);
		// a command-line tool: its output is for the person who ran it
		System.out.println("wrote " + out);
	}

	static BufferedImage draw() {
		BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, WIDTH, HEIGHT);
			drawAxes(g);
			drawDeltaMarker(g);
			for (int i = 0; i < BETAS.length; i++) {
				drawCurve(g, BETAS[i], COLORS[i]);
				drawSimulatedDots(g, BETAS[i], COLORS[i]);
			}
			annotateBetaOne(g);
			drawTitle(g);
			drawLegend(g);
		}
		finally {
			g.dispose();
		}
		return image;
	}

	/** Chance that one read {@code gapMillis} before expiry refreshes. */
	static double probability(double gapMillis, double beta) {
		return Math.exp(-gapMillis / (beta * DELTA_MILLIS));
	}

	// time runs to the right: the left edge is SPAN_MILLIS before expiry, the right edge is expiry
	private static double x(double gapMillis) {
		return LEFT + (SPAN_MILLIS - gapMillis) * (WIDTH - LEFT - RIGHT) / SPAN_MILLIS;
	}

	private static double y(double probability) {
		return TOP + (1 - probability) * (HEIGHT - TOP - BOTTOM);
	}

	private static void drawAxes(Graphics2D g) {
		Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
		g.setFont(small);
		FontMetrics metrics = g.getFontMetrics();
		for (int percent = 0; percent <= 100; percent += 10) {
			int yy = (int) Math.round(y(percent / 100.0));
			g.setColor(new Color(0xe6e6e6));
			g.drawLine(LEFT, yy, WIDTH - RIGHT, yy);
			g.setColor(Color.DARK_GRAY);
			String label = percent + " %";
			g.drawString(label, LEFT - 10 - metrics.stringWidth(label), yy + metrics.getAscent() / 2 - 1);
		}
		for (long gap = SPAN_MILLIS; gap >= 0; gap -= 250) {
			int xx = (int) Math.round(x(gap));
			g.setColor(new Color(0xe6e6e6));
			g.drawLine(xx, TOP, xx, HEIGHT - BOTTOM);
			g.setColor(Color.DARK_GRAY);
			String label = Long.toString(gap);
			g.drawString(label, xx - metrics.stringWidth(label) / 2, HEIGHT - BOTTOM + 22);
		}
		g.setColor(Color.BLACK);
		g.setStroke(new BasicStroke(1.5f));
		g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
		g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
		Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 16);
		g.setFont(label);
		FontMetrics labelMetrics = g.getFontMetrics();
		String xLabel = "time left before expiry, g (ms)  —  the entry ages to the right; it expires at 0";
		g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT - labelMetrics.stringWidth(xLabel)) / 2, HEIGHT - 25);
		Graphics2D rotated = (Graphics2D) g.create();
		try {
			rotated.rotate(-Math.PI / 2);
			String yLabel = "chance that one read refreshes early";
			rotated.drawString(yLabel, -(TOP + (HEIGHT - TOP - BOTTOM + labelMetrics.stringWidth(yLabel)) / 2), 24);
		}
		finally {
			rotated.dispose();
		}
	}

	private static void drawDeltaMarker(Graphics2D g) {
		int xx = (int) Math.round(x(DELTA_MILLIS));
		Graphics2D dashed = (Graphics2D) g.create();
		try {
			dashed.setColor(Color.GRAY);
			dashed.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
					new float[] { 6, 5 }, 0));
			dashed.drawLine(xx, TOP, xx, HEIGHT - BOTTOM);
			dashed.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
			dashed.drawString("g = Δ", xx - 44, TOP + 16);
		}
		finally {
			dashed.dispose();
		}
	}

	private static void drawCurve(Graphics2D g, double beta, Color color) {
		Path2D.Double path = new Path2D.Double();
		int steps = 1_000;
		for (int i = 0; i <= steps; i++) {
			double gap = SPAN_MILLIS * (1 - i / (double) steps);
			double px = x(gap);
			double py = y(probability(gap, beta));
			if (i == 0) {
				path.moveTo(px, py);
			}
			else {
				path.lineTo(px, py);
			}
		}
		g.setColor(color);
		g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		g.draw(path);
	}

	private static void drawSimulatedDots(Graphics2D g, double beta, Color color) {
		long delta = Duration.ofMillis(DELTA_MILLIS).toNanos();
		long expiresAt = Duration.ofHours(1).toNanos();
		for (long gap = SPAN_MILLIS; gap >= 0; gap -= 100) {
			long now = expiresAt - Duration.ofMillis(gap).toNanos();
			int refreshes = 0;
			for (int i = 0; i < SIMULATED_READS; i++) {
				if (XFetch.shouldRefresh(now, expiresAt, delta, beta)) {
					refreshes++;
				}
			}
			double share = refreshes / (double) SIMULATED_READS;
			Ellipse2D.Double dot = new Ellipse2D.Double(x(gap) - 4.5, y(share) - 4.5, 9, 9);
			g.setColor(Color.WHITE);
			g.fill(dot);
			g.setColor(color);
			g.setStroke(new BasicStroke(2f));
			g.draw(dot);
		}
	}

	/** Labels the three values docs/refresh.md quotes, in empty space, with leader lines. */
	private static void annotateBetaOne(Graphics2D g) {
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
		FontMetrics metrics = g.getFontMetrics();
		long[] gaps = { 1_000, 500, 100 };
		double[] labelLevels = { 0.25, 0.56, 0.88 };
		for (int i = 0; i < gaps.length; i++) {
			double p = probability(gaps[i], 1);
			double px = x(gaps[i]);
			double py = y(p);
			String text = String.format(Locale.ROOT, "β = 1, g = %d ms: %.1f %%", gaps[i], 100 * p);
			int width = metrics.stringWidth(text);
			int tx = (int) Math.min(px - width / 2.0, WIDTH - RIGHT - width - 70);
			int ty = (int) y(labelLevels[i]);
			g.setColor(COLORS[1].darker());
			g.setStroke(new BasicStroke(1f));
			g.drawLine((int) px, (int) py, (int) Math.max(tx, Math.min(px, tx + width)), ty + metrics.getDescent());
			g.setColor(new Color(255, 255, 255, 235));
			g.fillRect(tx - 4, ty - metrics.getAscent() - 2, width + 8, metrics.getHeight() + 4);
			g.setColor(COLORS[1].darker());
			g.drawRect(tx - 4, ty - metrics.getAscent() - 2, width + 8, metrics.getHeight() + 4);
			g.drawString(text, tx, ty);
			g.setColor(COLORS[1]);
			g.fill(new Ellipse2D.Double(px - 5, py - 5, 10, 10));
		}
	}

	private static void drawTitle(Graphics2D g) {
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
		g.drawString("X-Fetch early refresh: chance per read, load time Δ = " + DELTA_MILLIS + " ms", LEFT, 32);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
		g.setColor(Color.DARK_GRAY);
		g.drawString("lines: exp(−g / (β·Δ));  dots: share of " + String.format(Locale.ROOT, "%,d", SIMULATED_READS)
				+ " reads drawn by XFetch.shouldRefresh", LEFT, 56);
	}

	private static void drawLegend(Graphics2D g) {
		int boxX = LEFT + 24;
		int boxY = TOP + 20;
		int rowHeight = 26;
		int boxWidth = 250;
		int boxHeight = 16 + rowHeight * BETAS.length;
		g.setColor(new Color(255, 255, 255, 235));
		g.fillRect(boxX, boxY, boxWidth, boxHeight);
		g.setColor(Color.GRAY);
		g.setStroke(new BasicStroke(1f));
		g.drawRect(boxX, boxY, boxWidth, boxHeight);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
		String[] notes = { "  later, fewer refreshes", "  the default", "  earlier, more refreshes" };
		for (int i = 0; i < BETAS.length; i++) {
			int rowY = boxY + 20 + i * rowHeight;
			g.setColor(COLORS[i]);
			g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
			g.drawLine(boxX + 12, rowY - 5, boxX + 48, rowY - 5);
			g.setColor(Color.BLACK);
			g.drawString("β = " + formatBeta(BETAS[i]) + notes[i], boxX + 58, rowY);
		}
	}

	private static String formatBeta(double beta) {
		return (beta == Math.rint(beta)) ? Long.toString((long) beta) : Double.toString(beta);
	}

}
