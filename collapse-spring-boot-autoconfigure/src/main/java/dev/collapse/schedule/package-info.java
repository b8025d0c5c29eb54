/**
 * Scheduled jobs: once per fleet for each nominal fire time ({@code @OncePerFleet}) and spread
 * starts ({@code @Spread}). The task scheduler is wrapped so that each fire knows the time its
 * trigger chose; the job then runs through a collapse instance keyed by that time.
 */
@NullMarked
package dev.collapse.schedule;

import org.jspecify.annotations.NullMarked;
