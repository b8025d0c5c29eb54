package dev.collapse.sample.catalog;

/** What a product update may change: the body of {@code PUT /api/products/{id}}. */
public record ProductChange(String name, String description, long priceCents) {
}
