package dev.swarmkit.store;

/** The secondary indexes a table may carry; which ones a table has is decided by {@link TableSchema}. */
enum IndexKind {
  NAME,
  SERVICE_ID,
  NODE_ID,
  SLOT,
  DESIRED_STATE,
  TASK_STATE,
  ROLE,
  MEMBERSHIP,
  NETWORK,
  SECRET,
  CONFIG,
  KIND,
  RUNTIME,
  VOLUME_ATTACHMENT,
  VOLUME_GROUP,
  DRIVER,
  CUSTOM
}
