package dev.workflowkeeper.report;

import java.time.Duration;

/**
 * What a memory report judges by.
 *
 * @param maxTtl a key with a longer TTL counts as above the maximum (the service's TTL)
 * @param staleAfter a state not updated for longer counts as stale
 * @param topKeys how many of the largest keys to list
 */
record ReportSettings(Duration maxTtl, Duration staleAfter, int topKeys) {
}
