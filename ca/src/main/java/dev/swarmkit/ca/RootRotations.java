package dev.swarmkit.ca;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.RootRotation;
import io.grpc.Status;
import java.security.cert.CertificateException;
import java.util.Arrays;

/**
 * Starts root CA rotations from a cluster's CA settings (upstream's validateCAConfig): a signing CA
 * certificate and key different from the current root, or a changed {@code force_rotate}, put a
 * {@link RootRotation} into the cluster's root CA: the new root, its key, and the new root
 * cross-signed by the current one. {@link RootRotationReconciler} then has every node renew under
 * the new root and finishes the rotation.
 */
public final class RootRotations {

  private RootRotations() {}

  /** The root CA to store for {@code updated}'s CA settings; throws INVALID_ARGUMENT for unusable ones. */
  public static dev.swarmkit.api.RootCA reconcile(Cluster updated) {
    dev.swarmkit.api.RootCA current = updated.getRootCa();
    CAConfig ca = updated.getSpec().getCaConfig();
    boolean signingGiven = !ca.getSigningCaCert().isEmpty() || !ca.getSigningCaKey().isEmpty();
    if (signingGiven) {
      if (ca.getSigningCaCert().isEmpty() || ca.getSigningCaKey().isEmpty()) {
        throw invalid("the signing CA certificate and key must be given together: roots without a key "
            + "(signed by an external CA) are not supported");
      }
      if (ca.getSigningCaCert().equals(current.getCaCert())) {
        return current.toBuilder().setLastForcedRotation(ca.getForceRotate()).build();
      }
      if (current.hasRootRotation() && current.getRootRotation().getCaCert().equals(ca.getSigningCaCert())) {
        return current.toBuilder().setLastForcedRotation(ca.getForceRotate()).build();
      }
      RootCA next;
      try {
        next = RootCA.fromPem(ca.getSigningCaCert().toByteArray(), ca.getSigningCaKey().toByteArray());
      } catch (CertificateException e) {
        throw invalid("invalid signing CA: " + e.getMessage());
      }
      return start(current, next, ca.getForceRotate());
    }
    if (ca.getForceRotate() != current.getLastForcedRotation()) {
      return start(current, RootCA.create(), ca.getForceRotate());
    }
    return current;
  }

  private static dev.swarmkit.api.RootCA start(dev.swarmkit.api.RootCA current, RootCA next, long forceRotate) {
    RootCA old;
    try {
      old = ClusterSecurity.fromApi(current);
    } catch (CertificateException e) {
      throw Status.INTERNAL.withDescription("the cluster's root CA is unusable: " + e.getMessage()).asRuntimeException();
    }
    if (Arrays.equals(old.certificate().getPublicKey().getEncoded(), next.certificate().getPublicKey().getEncoded())) {
      throw invalid("the new root CA must have a different key than the current one");
    }
    return current.toBuilder()
        .setRootRotation(RootRotation.newBuilder()
            .setCaCert(ByteString.copyFrom(next.certPem()))
            .setCaKey(ByteString.copyFrom(next.keyPem().orElseThrow()))
            .setCrossSignedCaCert(ByteString.copyFrom(old.crossSign(next))))
        .setLastForcedRotation(forceRotate)
        .build();
  }

  private static RuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }
}
