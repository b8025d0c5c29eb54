package dev.collapse.sample.catalog;

/** One product of the catalogue; prices in cents to keep them exact. */
public record Product(long id, String name, String description, long priceCents) {
}
