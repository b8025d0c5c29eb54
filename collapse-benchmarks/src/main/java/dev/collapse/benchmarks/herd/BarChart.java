package dev.collapse.benchmarks.herd;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A small bar chart drawn with plain AWT, headless: one panel per metric side by side, one bar per
 * row in each panel, the same colour for a row in every panel, the value written above each bar
 * and a legend of the rows underneath. No plotting library: the harness must run where none is
 * installed.
 */
final class BarChart {

	private static final Color[] ROW_COLOURS = { new Color(0xC0392B), new Color(0x2E86C1), new Color(0xE67E22),
			new Color(0x27AE60), new Color(0x8E44AD), new Color(0x7F8C8D) };

	private static final int PANEL_WIDTH = 340;

	private static final int PANEL_HEIGHT = 330;

	private static final int TOP = 70;

	private static final int LEFT_AXIS = 62;

	private static final int LEGEND_COLUMNS = 4;

	/**
	 * @param title panel title
	 * @param values one value per row, in the order of the rows
	 * @param log whether the axis is logarithmic (base 10); a value of 0 is drawn as no bar, NaN as "n/a"
	 */
	record Panel(String title, double[] values, boolean log) {
	}

	private BarChart() {
	}

	static void write(Path file, String title, List<String> rows, List<Panel> panels) {
		System.setProperty("java.awt.headless", "true");
		int width = Math.max(PANEL_WIDTH * panels.size() + 20, 700);
		int legendColumns = legendColumns(rows, width - 40);
		int legendRows = (rows.size() + legendColumns - 1) / legendColumns;
		int height = TOP + PANEL_HEIGHT + 40 + legendRows * 22 + 10;
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, width, height);
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
			drawWrapped(g, title, 12, 22, width - 24);
			for (int i = 0; i < panels.size(); i++) {
				drawPanel(g, panels.get(i), rows, 10 + i * PANEL_WIDTH, TOP);
			}
			drawLegend(g, rows, 20, TOP + PANEL_HEIGHT + 30, width - 40, legendColumns);
		}
		finally {
			g.dispose();
		}
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			if (!ImageIO.write(image, "png", file.toFile())) {
				throw new IllegalStateException("no PNG writer in this JDK");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + file, ex);
		}
	}

	private static void drawPanel(Graphics2D g, Panel panel, List<String> rows, int x, int y) {
		int plotLeft = x + LEFT_AXIS;
		int plotRight = x + PANEL_WIDTH - 16;
		int plotTop = y + 30;
		int plotBottom = y + PANEL_HEIGHT - 20;
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
		g.drawString(panel.title(), plotLeft, y + 12);
		Axis axis = panel.log() ? Axis.log(max(panel.values())) : Axis.linear(max(panel.values()));
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
		FontMetrics metrics = g.getFontMetrics();
		for (double tick : axis.ticks) {
			int ty = plotBottom - (int) Math.round(axis.fraction(tick) * (plotBottom - plotTop));
			g.setColor(new Color(0xE5E5E5));
			g.drawLine(plotLeft, ty, plotRight, ty);
			g.setColor(Color.DARK_GRAY);
			String label = format(tick);
			g.drawString(label, plotLeft - 6 - metrics.stringWidth(label), ty + 4);
		}
		g.setColor(Color.BLACK);
		g.setStroke(new BasicStroke(1.2f));
		g.drawLine(plotLeft, plotTop, plotLeft, plotBottom);
		g.drawLine(plotLeft, plotBottom, plotRight, plotBottom);
		int slot = (plotRight - plotLeft) / rows.size();
		int barWidth = (int) (slot * 0.6);
		for (int i = 0; i < rows.size(); i++) {
			double value = panel.values()[i];
			int bx = plotLeft + i * slot + (slot - barWidth) / 2;
			int barHeight = (int) Math.round(axis.fraction(value) * (plotBottom - plotTop));
			g.setColor(ROW_COLOURS[i % ROW_COLOURS.length]);
			g.fillRect(bx, plotBottom - barHeight, barWidth, barHeight);
			g.setColor(Color.BLACK);
			String label = Double.isNaN(value) ? "n/a" : format(value);
			g.drawString(label, bx + (barWidth - metrics.stringWidth(label)) / 2, plotBottom - barHeight - 4);
			String number = Integer.toString(i + 1);
			g.drawString(number, bx + (barWidth - metrics.stringWidth(number)) / 2, plotBottom + 14);
		}
	}

	/** As many legend columns as the longest row name allows, at most {@value #LEGEND_COLUMNS}. */
	private static int legendColumns(List<String> rows, int width) {
		int longest = rows.stream().mapToInt(String::length).max().orElse(1);
		// about 7 px per character of a 12 px sans-serif font, plus the swatch and a gap
		return Math.max(1, Math.min(LEGEND_COLUMNS, width / (longest * 7 + 60)));
	}

	private static void drawLegend(Graphics2D g, List<String> rows, int x, int y, int width, int columns) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		int column = width / columns;
		for (int i = 0; i < rows.size(); i++) {
			int lx = x + (i % columns) * column;
			int ly = y + (i / columns) * 22;
			g.setColor(ROW_COLOURS[i % ROW_COLOURS.length]);
			g.fillRect(lx, ly - 11, 14, 14);
			g.setColor(Color.BLACK);
			g.drawString((i + 1) + ". " + rows.get(i), lx + 20, ly + 1);
		}
	}

	private static void drawWrapped(Graphics2D g, String text, int x, int y, int width) {
		FontMetrics metrics = g.getFontMetrics();
		StringBuilder line = new StringBuilder();
		int lineY = y;
		for (String word : text.split(" ")) {
			if (line.length() > 0 && metrics.stringWidth(line + " " + word) > width) {
				g.drawString(line.toString(), x, lineY);
				line.setLength(0);
				lineY += metrics.getHeight();
			}
			line.append(line.length() > 0 ? " " : "").append(word);
		}
		g.drawString(line.toString(), x, lineY);
	}

	private static double max(double[] values) {
		double max = 0;
		for (double value : values) {
			max = Double.isNaN(value) ? max : Math.max(max, value);
		}
		return max;
	}

	static String format(double value) {
		if (value != 0 && Math.abs(value) < 10 && value != Math.rint(value)) {
			return String.format(Locale.ROOT, "%.1f", value);
		}
		return String.format(Locale.ROOT, "%,d", Math.round(value));
	}

	/** Where a value sits on the vertical axis, as a fraction of its height, and the ticks to draw. */
	private static final class Axis {

		private final boolean log;

		private final double top;

		final List<Double> ticks = new ArrayList<>();

		private Axis(boolean log, double top) {
			this.log = log;
			this.top = top;
		}

		static Axis linear(double max) {
			double step = niceStep(max <= 0 ? 1 : max / 5);
			double top = Math.max(step, Math.ceil(max / step) * step);
			Axis axis = new Axis(false, top);
			for (double tick = 0; tick <= top + step / 2; tick += step) {
				axis.ticks.add(tick);
			}
			return axis;
		}

		/** From 1 up to the next power of ten at or above {@code max}. */
		static Axis log(double max) {
			double top = Math.pow(10, Math.max(1, Math.ceil(Math.log10(Math.max(max, 1)))));
			Axis axis = new Axis(true, top);
			for (double tick = 1; tick <= top; tick *= 10) {
				axis.ticks.add(tick);
			}
			return axis;
		}

		double fraction(double value) {
			if (Double.isNaN(value) || value <= 0) {
				return 0;
			}
			if (this.log) {
				// a single load (10^0) still gets a visible stub so that "1" is not read as "none"
				return Math.max(0.015, Math.log10(value) / Math.log10(this.top));
			}
			return Math.min(1, value / this.top);
		}

		private static double niceStep(double rough) {
			double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
			double residual = rough / magnitude;
			double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
			return nice * magnitude;
		}

	}

}
