package dev.collapse.chaos;

/** A loaded value: its key, the global version its load took when it started, the node that loaded it. */
public record Versioned(String key, long version, String node) {
}
