/**
 * Secrets and configs on a worker (upstream's agent/secrets, agent/configs and agent/dependency.go):
 * {@link dev.swarmkit.agent.secrets.Dependencies} keeps the values the dispatcher assigned, in memory
 * only; {@link dev.swarmkit.agent.secrets.TaskDependencies} lets one task read only what its spec
 * references.
 */
package dev.swarmkit.agent.secrets;
