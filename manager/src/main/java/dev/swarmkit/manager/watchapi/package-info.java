/**
 * The Watch API (docker.swarmkit.v1.Watch), as upstream manager/watchapi: streams the store changes
 * selected by kind, action and filters, one message per committed transaction, optionally resuming
 * after a known store version. Wiring: {@code new WatchService(store)}; {@code close()} on shutdown
 * ends every open stream.
 */
package dev.swarmkit.manager.watchapi;
