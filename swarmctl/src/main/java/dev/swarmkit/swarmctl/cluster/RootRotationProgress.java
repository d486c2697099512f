package dev.swarmkit.swarmctl.cluster;

import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.IssuanceStatus;
import dev.swarmkit.api.Node;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** How far a root CA rotation got: nodes whose certificate the new root signed, out of all nodes. */
final class RootRotationProgress {
    private RootRotationProgress() {
    }

    static String describe(Cluster cluster, List<Node> nodes) {
        PublicKey next;
        try {
            next = parse(cluster.getRootCa().getRootRotation().getCaCert().toByteArray()).getPublicKey();
        } catch (GeneralSecurityException e) {
            return "in progress";
        }
        long done = nodes.stream().filter(n -> renewed(n, next)).count();
        return "in progress, " + done + " of " + nodes.size() + " nodes renewed";
    }

    private static boolean renewed(Node node, PublicKey next) {
        if (node.getCertificate().getStatus().getState() != IssuanceStatus.State.ISSUED) {
            return false;
        }
        try {
            parse(node.getCertificate().getCertificate().toByteArray()).verify(next);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The first certificate of a PEM bundle. */
    private static X509Certificate parse(byte[] pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem));
    }
}
