package dev.swarmkit.ca;

import dev.swarmkit.api.NodeRole;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Who a node certificate says its holder is: node ID (CN), role (OU) and cluster ID (O). */
public record NodeIdentity(String nodeId, String role, String clusterId) {

  /** Reads the identity out of a node certificate's subject. */
  public static NodeIdentity fromCertificate(X509Certificate certificate) {
    String cn = "";
    String ou = "";
    String o = "";
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        String value = String.valueOf(rdn.getValue());
        switch (rdn.getType().toUpperCase(java.util.Locale.ROOT)) {
          case "CN" -> cn = value;
          case "OU" -> ou = ou.isEmpty() ? value : ou;
          case "O" -> o = o.isEmpty() ? value : o;
          default -> { }
        }
      }
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException("malformed certificate subject", e);
    }
    return new NodeIdentity(cn, ou, o);
  }

  /** The role as the API enum; fails for an OU that is no swarm role. */
  public NodeRole apiRole() {
    return Roles.fromOu(role);
  }

  public boolean isManager() {
    return Roles.MANAGER.equals(role);
  }
}
