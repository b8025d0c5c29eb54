package dev.collapse.core;

import java.awt.Color;
import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the generator of docs/xfetch-probability.png working, headless, without a file. */
class XFetchPlotTest {

	@Test
	void drawsTheThreeCurvesHeadless() {
		System.setProperty("java.awt.headless", "true");
		BufferedImage image = XFetchPlot.draw();
		assertThat(image.getWidth()).isGreaterThan(600);
		for (Color color : XFetchPlot.COLORS) {
			assertThat(countPixels(image, color)).as("pixels of %s", color).isGreaterThan(500);
		}
		assertThat(XFetchPlot.probability(500, 1)).isCloseTo(Math.exp(-2.5), org.assertj.core.api.Assertions.within(1e-12));
	}

	private static int countPixels(BufferedImage image, Color color) {
		int count = 0;
		int rgb = color.getRGB() & 0xffffff;
		for (int x = 0; x < image.getWidth(); x++) {
			for (int y = 0; y < image.getHeight(); y++) {
				if ((image.getRGB(x, y) & 0xffffff) == rgb) {
					count++;
				}
			}
		}
		return count;
	}

}
