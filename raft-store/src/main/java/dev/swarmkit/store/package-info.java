/**
 * The cluster store: the Java counterpart of upstream's manager/state/store (go-memdb).
 *
 * <h2>Data layout</h2>
 *
 * <p>The whole store is one immutable {@code StoreRoot}: per table a persistent sorted map ID ->
 * object plus one persistent sorted set per secondary index (org.pcollections, structurally shared).
 * An index entry is {@code key + '\0' + id}, so an exact key is a range scan and a name/ID/custom
 * prefix is a range scan too; nothing scans a whole table except {@code By.all()}. Which indexes a
 * table has, and the keys an object contributes, mirror upstream's indexers ({@code TableSchema}):
 * nodes by lower-cased hostname, role (observed {@code role}) and membership; tasks by upstream task
 * name ({@code Table.taskName}), service, node, service+slot, desired state, observed state,
 * runtime, attached volumes and the networks/secrets/configs their spec references; services by
 * runtime and referenced networks (task template first, legacy spec.networks otherwise), secrets and
 * configs; volumes by group and driver; resources and extensions by kind; every table by name and by
 * {@code Annotations.indices} ("key|value"). A selector a table has no index for is rejected with
 * IllegalArgumentException (upstream ErrInvalidFindBy).
 *
 * <h2>Reads</h2>
 *
 * <p>{@code view} reads the volatile root once and runs against it: no locks, a consistent snapshot
 * however long the reader takes, while writers publish new roots. A change costs O(indexes * log n),
 * so commit cost is proportional to the change, not to the table size.
 *
 * <h2>Writes and the replication seam</h2>
 *
 * <p>{@code update} takes the update lock (one writer at a time, as upstream), runs the callback on a
 * {@code WriteTx} over the current root (the transaction sees its own changes), validates each change
 * (ID and unique lower-cased name free; stored version equal to the caller's, else "update out of
 * sequence"; upstream's resource/extension rules in {@code TableRules}), stamps {@code Meta}
 * (created_at/updated_at from the store clock, a provisional version) and records it as an upstream
 * {@code StoreAction}. If the callback throws nothing is proposed. Otherwise the actions (at most 200
 * and 1.5 MiB, else TransactionTooLarge) go to the {@link dev.swarmkit.store.Proposer}, which
 * replicates them and returns once the entry has been applied locally.
 *
 * <p>Every replica applies committed entries with {@code MemoryStore.applyCommitted(index, actions)}
 * in log order. Applying is deterministic and does no validation: create/update put the object,
 * remove deletes it, and each written object's {@code meta.version} becomes the entry index, so on
 * every replica an object's version is the index of the last entry that wrote it, whatever
 * provisional version the leader stamped. Timestamps come from the leader, inside the actions.
 * Entries at or below the current version are ignored (re-delivery after a restart).
 * {@code snapshot()} (or {@code versionedSnapshot()}, which also returns the index it covers) and
 * {@code restore(snapshot, index)} use upstream's {@code StoreSnapshot}; restore
 * reports the difference to watchers as ordinary events plus a commit at {@code index}.
 *
 * <p>{@code new MemoryStore()} uses {@code LocalProposer}: index = current version + 1, applied at
 * once. A Raft proposer is plugged in with {@code new MemoryStore(store -> proposer, options)}; its
 * state machine calls {@code applyCommitted} for each committed store entry and {@code
 * restore}/{@code snapshot} for snapshots; its {@code propose} must wait until its entry is applied
 * locally (and throw {@code NotLeader} when it cannot propose).
 *
 * <p>{@code batch} groups callbacks into entries as upstream: after a callback, once the pending
 * changes reach {@code MemoryStore.MAX_CHANGES_PER_ENTRY} (2,000; upstream 200) or 3/4 of the byte
 * limit they are committed and the update lock is released
 * briefly. A callback whose changes would overflow the pending entry causes the pending part to be
 * committed first; a callback's own changes always stay in one entry. A failing callback discards
 * only its own changes; if the batch function itself throws, uncommitted changes are dropped; a
 * failed commit drops the changes it carried (they are never proposed twice). Calling update or
 * batch from inside an update callback throws IllegalStateException (upstream would deadlock).
 *
 * <h2>Watches</h2>
 *
 * <p>Each committed entry becomes CREATE/UPDATE/DELETE events (old and new object, version) and a
 * COMMIT event, published under the apply lock, so every watcher sees commits in log order with no
 * gaps. Filters run on the committing thread, so they must be cheap and must not touch the store (a
 * filter that throws counts as not matching). Each watcher has a bounded queue (default 10,000 events); the committing thread never waits:
 * a watcher whose queue is full is dropped, its queue freed, and its next poll/take throws
 * WatcherTooSlow. {@code viewAndWatch} captures the root and registers the watcher under the apply
 * lock, so the subscription starts exactly after the snapshot. The most recent committed events
 * (default 5,000, whole commits) are kept for {@code watchFrom(version)}, which replays the retained
 * commits after {@code version} and then continues live; older versions fail with VersionTooOld.
 */
package dev.swarmkit.store;
