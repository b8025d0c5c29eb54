package dev.collapse.sample.catalog;

/** Figures over the whole catalogue, from one aggregate query. */
public record CatalogueSummary(long products, long cheapestCents, long dearestCents, long averageCents) {
}
