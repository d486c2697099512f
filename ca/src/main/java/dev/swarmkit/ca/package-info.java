/**
 * The swarm's certificate authority and mutual TLS, after upstream's ca/ package.
 *
 * <p>Wiring, first manager: {@link dev.swarmkit.ca.ClusterSecurity#newApiRootCA()} goes into the new
 * {@code Cluster.root_ca}; {@link dev.swarmkit.ca.ClusterSecurity#issueLocally} gives the manager its
 * own {@link dev.swarmkit.ca.SecurityConfig}, saved with {@link dev.swarmkit.ca.NodeCertificateFiles}
 * and registered as a node with {@link dev.swarmkit.ca.ClusterSecurity#nodeFor}. Managers serve
 * {@link dev.swarmkit.ca.CAServer#services()} and every other API through
 * {@link dev.swarmkit.ca.SecureChannels#server} + {@link dev.swarmkit.ca.SecureChannels#authorized}
 * with one {@link dev.swarmkit.ca.AuthorizationInterceptor}; handlers read the caller from
 * {@link dev.swarmkit.ca.CallerIdentity#current()}.
 *
 * <p>Joining node: {@link dev.swarmkit.ca.CertificateRequester#join} (token + manager address), then
 * {@link dev.swarmkit.ca.SecureChannels#toManager} for channels and a
 * {@link dev.swarmkit.ca.RenewalSupervisor} to keep the certificate fresh (call
 * {@link dev.swarmkit.ca.RenewalSupervisor#roleChanged} when the dispatcher reports a new role). On
 * restart, {@link dev.swarmkit.ca.NodeCertificateFiles#load()}.
 *
 * <p>The TLS layer requests but does not verify client certificates; the interceptor does, per method,
 * so refusals are PERMISSION_DENIED with a reason. Servers must therefore put every service behind it.
 */
package dev.swarmkit.ca;
