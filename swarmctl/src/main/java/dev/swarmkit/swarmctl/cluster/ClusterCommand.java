package dev.swarmkit.swarmctl.cluster;

import com.google.protobuf.ByteString;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.ExternalCA;
import dev.swarmkit.api.GetUnlockKeyRequest;
import dev.swarmkit.api.GetUnlockKeyResponse;
import dev.swarmkit.api.KeyRotation;
import dev.swarmkit.api.ListClustersRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.util.GoDurations;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.LogDriverFlags;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cluster", description = "Inspect and configure the swarm's cluster object.",
        subcommands = {ClusterCommand.Inspect.class, ClusterCommand.Ls.class, ClusterCommand.Update.class,
            ClusterCommand.UnlockKey.class})
public final class ClusterCommand extends CommandGroup {

    @Command(name = "inspect", description = "Show a cluster's settings and join tokens.")
    static final class Inspect extends SwarmctlCommand {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<cluster>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "cluster name missing", "inspect command takes exactly 1 argument");
            Cluster cluster = session.lookup().cluster(input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), cluster);
                return;
            }
            String rotation = cluster.getRootCa().hasRootRotation()
                    ? RootRotationProgress.describe(cluster,
                            session.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList())
                    : null;
            session.out().print(summary(cluster, rotation));
        }

        static String summary(Cluster cluster) {
            return summary(cluster, null);
        }

        /** {@code rotation}: progress of a root CA rotation, or null when none runs. */
        static String summary(Cluster cluster, String rotation) {
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            ClusterSpec spec = cluster.getSpec();
            if (!cluster.getId().isEmpty()) {
                w.printf("ID\t: %s\n", cluster.getId());
            }
            if (!spec.getAnnotations().getName().isEmpty()) {
                w.printf("Name\t: %s\n", spec.getAnnotations().getName());
            }
            w.println("Orchestration settings:");
            w.printf("  Task history entries: %d\n", spec.getOrchestration().getTaskHistoryRetentionLimit());
            if (spec.getDispatcher().hasHeartbeatPeriod()) {
                w.println("Dispatcher settings:");
                w.printf("  Dispatcher heartbeat period: %s\n",
                        GoDurations.format(spec.getDispatcher().getHeartbeatPeriod()));
            }
            w.println("Certificate Authority settings:");
            CAConfig ca = spec.getCaConfig();
            if (ca.hasNodeCertExpiry()) {
                w.printf("  Certificate Validity Duration: %s\n", GoDurations.format(ca.getNodeCertExpiry()));
            }
            if (ca.getExternalCasCount() > 0) {
                w.println("  External CAs:");
                for (ExternalCA external : ca.getExternalCasList()) {
                    w.printf("    %s: %s\n", external.getProtocol().name(), external.getUrl());
                }
            }
            w.println("  Join Tokens:");
            w.println("    Worker: " + cluster.getRootCa().getJoinTokens().getWorker());
            w.println("    Manager: " + cluster.getRootCa().getJoinTokens().getManager());
            if (rotation != null) {
                w.println("  Root CA rotation: " + rotation);
            }
            if (spec.getTaskDefaults().hasLogDriver()) {
                Driver driver = spec.getTaskDefaults().getLogDriver();
                w.printf("Default Log Driver\t: %s\n", driver.getName());
                for (Map.Entry<String, String> option : new TreeMap<>(driver.getOptionsMap()).entrySet()) {
                    if (option.getValue().isEmpty()) {
                        w.printf("  %s\t\n", option.getKey());
                    } else {
                        w.printf("  %s\t: %s\n", option.getKey(), option.getValue());
                    }
                }
            }
            w.flush();
            return out.toString();
        }
    }

    @Command(name = "ls", description = "List clusters.")
    static final class Ls extends SwarmctlCommand {
        @Mixin
        ListOutput output;

        @Override
        protected void run(Session session) {
            output.print(session,
                    () -> session.control().listClusters(ListClustersRequest.getDefaultInstance()).getClustersList(),
                    (w, clusters) -> {
                        Tables.header(w, "ID", "Name");
                        clusters.forEach(c -> w.row(c.getId(), c.getSpec().getAnnotations().getName()));
                    });
        }
    }

    @Command(name = "update", description = "Change cluster settings or rotate its secrets.")
    static final class Update extends SwarmctlCommand {
        @Option(names = {"--taskhistory", "--task-history"}, paramLabel = "<n>",
                description = "How many old tasks to keep per slot or node")
        Long taskHistory;
        @Option(names = "--certexpiry", paramLabel = "<duration>",
                description = "How long new node certificates stay valid, e.g. 2160h (default 2160h0m0s)")
        String certExpiry;
        @Option(names = "--external-ca", paramLabel = "<protocol=cfssl,url=...>",
                description = "Signing endpoint for node certificates (repeatable)")
        List<String> externalCas;
        @Option(names = {"--heartbeatperiod", "--heartbeat-period"}, paramLabel = "<duration>",
                description = "How often agents must report to the dispatcher, e.g. 5s")
        String heartbeatPeriod;
        @Option(names = "--rotate-join-token", paramLabel = "<worker|manager>",
                description = "Replace the worker or the manager join token")
        String rotateJoinToken;
        @Option(names = "--rotate-unlock-key", description = "Replace the key that unlocks managers")
        boolean rotateUnlockKey;
        @Option(names = "--rotate-ca", description = "Rotate the root CA: every node gets a certificate of a new root")
        boolean rotateCa;
        @Option(names = "--ca-cert", paramLabel = "<path>",
                description = "With --rotate-ca: the new root CA certificate (PEM) instead of a generated one")
        String caCert;
        @Option(names = "--ca-key", paramLabel = "<path>", description = "With --ca-cert: its private key (PEM)")
        String caKey;
        @Option(names = "--autolock", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
                description = "Require the unlock key to restart a stopped manager")
        Boolean autolock;
        @Mixin
        LogDriverFlags logDriver;
        @OneArgument
        @Parameters(paramLabel = "<cluster>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "cluster name missing", "update command takes exactly 1 argument");
            KeyRotation.Builder rotation = KeyRotation.newBuilder().setManagerUnlockKey(rotateUnlockKey);
            if (rotateJoinToken != null) {
                switch (rotateJoinToken.toLowerCase(Locale.ROOT)) {
                    case "worker" -> rotation.setWorkerJoinToken(true);
                    case "manager" -> rotation.setManagerJoinToken(true);
                    default -> throw CliException.usage(
                            "--rotate-join-token flag must be followed by 'worker' or 'manager'");
                }
            }
            Cluster cluster = session.lookup().cluster(input);
            ClusterSpec.Builder spec = cluster.getSpec().toBuilder();
            if (certExpiry != null) {
                spec.getCaConfigBuilder().setNodeCertExpiry(GoDurations.toProto(duration(certExpiry)));
            }
            if (externalCas != null) {
                spec.getCaConfigBuilder().clearExternalCas();
                externalCas.forEach(text -> spec.getCaConfigBuilder().addExternalCas(ExternalCas.parse(text)));
            }
            if (taskHistory != null) {
                spec.getOrchestrationBuilder().setTaskHistoryRetentionLimit(taskHistory);
            }
            if (heartbeatPeriod != null) {
                spec.getDispatcherBuilder().setHeartbeatPeriod(GoDurations.toProto(duration(heartbeatPeriod)));
            }
            if (autolock != null) {
                spec.getEncryptionConfigBuilder().setAutoLockManagers(autolock);
            }
            if ((caCert != null || caKey != null) && !rotateCa) {
                throw CliException.usage("--ca-cert and --ca-key need --rotate-ca");
            }
            if ((caCert == null) != (caKey == null)) {
                throw CliException.usage("--ca-cert and --ca-key go together");
            }
            if (rotateCa) {
                // As `docker swarm ca --rotate`: a new force_rotate value starts a rotation, to the given
                // root or a generated one.
                spec.getCaConfigBuilder().setForceRotate(spec.getCaConfig().getForceRotate() + 1);
                if (caCert != null) {
                    spec.getCaConfigBuilder().setSigningCaCert(ByteString.copyFrom(readFile(caCert)))
                            .setSigningCaKey(ByteString.copyFrom(readFile(caKey)));
                }
            }
            // As upstream: the default driver is whatever the flags say, none without --log-driver.
            logDriver.parse().ifPresentOrElse(driver -> spec.getTaskDefaultsBuilder().setLogDriver(driver),
                    () -> spec.getTaskDefaultsBuilder().clearLogDriver());
            Cluster updated = session.control().updateCluster(UpdateClusterRequest.newBuilder()
                    .setClusterId(cluster.getId())
                    .setClusterVersion(cluster.getMeta().getVersion())
                    .setSpec(spec)
                    .setRotation(rotation)
                    .build()).getCluster();
            session.out().println(updated.getId());
            if (rotateUnlockKey) {
                UnlockKey.display(session);
            }
        }

        private static byte[] readFile(String path) {
            try {
                return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path));
            } catch (java.io.IOException e) {
                throw new CliException("cannot read " + path + ": " + e.getMessage());
            }
        }

        private static long duration(String text) {
            try {
                return GoDurations.parse(text);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
    }

    @Command(name = "unlock-key", description = "Print the key that unlocks the cluster's managers.")
    static final class UnlockKey extends SwarmctlCommand {
        @Option(names = "--rotate", description = "Replace the unlock key, then print the new one")
        boolean rotate;
        @OneArgument
        @Parameters(paramLabel = "<cluster>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "cluster name missing", "unlock-key command takes exactly 1 argument");
            if (rotate) {
                Cluster cluster = session.lookup().cluster(input);
                // As `docker swarm unlock-key --rotate`: there is no key to rotate without autolock.
                if (!cluster.getSpec().getEncryptionConfig().getAutoLockManagers()) {
                    throw new CliException("cannot rotate because autolock is not turned on");
                }
                session.control().updateCluster(UpdateClusterRequest.newBuilder()
                        .setClusterId(cluster.getId())
                        .setClusterVersion(cluster.getMeta().getVersion())
                        .setSpec(cluster.getSpec())
                        .setRotation(KeyRotation.newBuilder().setManagerUnlockKey(true))
                        .build());
            }
            display(session);
        }

        static void display(Session session) {
            GetUnlockKeyResponse response = session.ca().getUnlockKey(GetUnlockKeyRequest.getDefaultInstance());
            if (response.getUnlockKey().isEmpty()) {
                session.out().println("Managers not auto-locked");
                return;
            }
            session.out().println("Managers auto-locked.  Unlock key: " + humanReadableKey(response.getUnlockKey()
                    .toByteArray()));
        }

        /** The "SWMKEY-1-" form users type into {@code swarmd --unlock}. */
        static String humanReadableKey(byte[] key) {
            return "SWMKEY-1-" + Base64.getEncoder().withoutPadding().encodeToString(key);
        }
    }
}
