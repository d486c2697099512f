package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.GlobalService;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.UpdateConfig;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.api.util.GoDurations;
import dev.swarmkit.swarmctl.text.HumanUnits;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Applies the given service flags to a spec, in upstream's order and with its rules; flags that were
 * not given leave the spec as it is.
 */
public final class ServiceSpecMerger {
    private static final long NANOS_PER_CPU = 1_000_000_000L;

    private ServiceSpecMerger() {
    }

    /**
     * @param mode       {@code --mode} of create, or null
     * @param force      {@code --force} of update: bump ForceUpdate so tasks restart
     * @param networkIds turns a network name or ID prefix into its ID
     */
    public static void merge(ServiceFlags flags, ServiceSpec.Builder spec, String mode, boolean force,
                             Function<String, String> networkIds) {
        try {
            mergeChecked(flags, spec, mode, force, networkIds);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static void mergeChecked(ServiceFlags f, ServiceSpec.Builder spec, String mode, boolean force,
                                     Function<String, String> networkIds) {
        TaskSpec.Builder task = spec.getTaskBuilder();
        if (force) {
            task.setForceUpdate(task.getForceUpdate() + 1);
        }
        if (f.name != null) {
            spec.getAnnotationsBuilder().setName(f.name);
        }
        if (f.labels != null) {
            spec.getAnnotationsBuilder().clearLabels().putAllLabels(labels(f.labels));
        }
        mode(f, spec, mode);
        container(f, task);
        resources(f, task);
        ports(f, spec);
        if (f.network != null) {
            task.clearNetworks().addNetworks(NetworkAttachmentConfig.newBuilder()
                    .setTarget(networkIds.apply(f.network)));
        }
        restart(f, task);
        update(f, spec);
        placement(f, spec);
        mounts(f, task.getContainerBuilder());
        // As upstream's Merge: the spec's driver is whatever the flags say, none without --log-driver.
        f.logDriver.parse().ifPresentOrElse(task::setLogDriver, task::clearLogDriver);
    }

    private static Map<String, String> labels(List<String> labels) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String label : labels) {
            String[] parts = label.split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("malformed label: " + label);
            }
            result.put(parts[0].trim(), parts[1].trim());
        }
        return result;
    }

    private static void mode(ServiceFlags f, ServiceSpec.Builder spec, String mode) {
        if ("global".equals(mode) && !spec.hasGlobal()) {
            spec.setGlobal(GlobalService.getDefaultInstance());
        } else if ("replicated".equals(mode) && !spec.hasReplicated()) {
            spec.setReplicated(ReplicatedService.getDefaultInstance());
        } else if (mode != null && !mode.equals("global") && !mode.equals("replicated")) {
            throw new IllegalArgumentException("--mode must be replicated or global");
        }
        if (f.replicas != null) {
            if (!spec.hasReplicated()) {
                throw new IllegalArgumentException("--replicas can only be specified in --mode replicated");
            }
            spec.getReplicatedBuilder().setReplicas(f.replicas);
        }
    }

    private static void container(ServiceFlags f, TaskSpec.Builder task) {
        ContainerSpec.Builder c = task.getContainerBuilder();
        if (f.image != null) {
            c.setImage(f.image);
        }
        if (f.hostname != null) {
            c.setHostname(f.hostname);
        }
        if (f.command != null) {
            c.clearCommand().addAllCommand(f.command);
        }
        if (f.args != null) {
            c.clearArgs().addAllArgs(f.args);
        }
        if (f.env != null) {
            c.clearEnv().addAllEnv(f.env);
        }
        if (f.tty != null) {
            c.setTty(f.tty);
        }
        if (f.openStdin != null) {
            c.setOpenStdin(f.openStdin);
        }
        if (f.init != null) {
            c.setInit(com.google.protobuf.BoolValue.of(f.init));
        }
        if (f.oomScoreAdj != null) {
            c.setOomScoreAdj(f.oomScoreAdj);
        }
    }

    private static void resources(ServiceFlags f, TaskSpec.Builder task) {
        if (f.memoryReservation != null) {
            task.getResourcesBuilder().getReservationsBuilder().setMemoryBytes(HumanUnits.ramInBytes(f.memoryReservation));
        }
        if (f.memoryLimit != null) {
            task.getResourcesBuilder().getLimitsBuilder().setMemoryBytes(HumanUnits.ramInBytes(f.memoryLimit));
        }
        if (f.cpuReservation != null) {
            task.getResourcesBuilder().getReservationsBuilder().setNanoCpus(nanoCpus(f.cpuReservation));
        }
        if (f.cpuLimit != null) {
            task.getResourcesBuilder().getLimitsBuilder().setNanoCpus(nanoCpus(f.cpuLimit));
        }
        if (f.genericResources != null) {
            Resources.Builder reservations = task.getResourcesBuilder().getReservationsBuilder();
            reservations.clearGeneric().addAllGeneric(GenericResources.parse(f.genericResources));
            GenericResources.validateTaskRequest(reservations.build());
        }
        if (f.ulimits != null) {
            ContainerSpec.Builder c = task.getContainerBuilder();
            c.clearUlimits();
            f.ulimits.forEach(u -> c.addUlimits(Ulimits.parse(u)));
        }
    }

    static long nanoCpus(String cpus) {
        BigDecimal value;
        try {
            value = new BigDecimal(cpus);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid cpu: " + cpus);
        }
        BigDecimal nanos = value.multiply(BigDecimal.valueOf(NANOS_PER_CPU));
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("CPU value cannot have more than 9 decimal places: " + cpus);
        }
        return nanos.longValueExact();
    }

    private static void ports(ServiceFlags f, ServiceSpec.Builder spec) {
        if (f.publishMode != null && f.ports == null) {
            throw new IllegalArgumentException("--publish-mode needs --ports");
        }
        if (f.ports == null) {
            return;
        }
        PortConfig.PublishMode mode = PortConfig.PublishMode.HOST;
        if (f.publishMode != null) {
            mode = switch (f.publishMode) {
                case "host" -> PortConfig.PublishMode.HOST;
                case "ingress" -> PortConfig.PublishMode.INGRESS;
                default -> throw new IllegalArgumentException(
                        "invalid publish mode " + f.publishMode + ": must be host or ingress");
            };
        }
        EndpointSpec.Builder endpoint = EndpointSpec.newBuilder();
        for (String p : f.ports) {
            endpoint.addPorts(Ports.parse(p).toBuilder().setPublishMode(mode));
        }
        spec.setEndpoint(endpoint);
    }

    private static void restart(ServiceFlags f, TaskSpec.Builder task) {
        if (!task.hasRestart()) {
            task.setRestart(RestartPolicy.newBuilder().setCondition(RestartPolicy.RestartCondition.ANY));
        }
        RestartPolicy.Builder restart = task.getRestartBuilder();
        if (f.restartCondition != null) {
            restart.setCondition(switch (f.restartCondition) {
                case "none" -> RestartPolicy.RestartCondition.NONE;
                case "failure" -> RestartPolicy.RestartCondition.ON_FAILURE;
                case "any" -> RestartPolicy.RestartCondition.ANY;
                default -> throw new IllegalArgumentException("invalid restart condition: " + f.restartCondition);
            });
        }
        if (f.restartDelay != null) {
            restart.setDelay(GoDurations.toProto(GoDurations.parse(f.restartDelay)));
        }
        if (f.restartMaxAttempts != null) {
            restart.setMaxAttempts(f.restartMaxAttempts);
        }
        if (f.restartWindow != null) {
            restart.setWindow(GoDurations.toProto(GoDurations.parse(f.restartWindow)));
        }
    }

    private static void update(ServiceFlags f, ServiceSpec.Builder spec) {
        updateConfig(spec::getUpdateBuilder, "update", f.updateParallelism, f.updateDelay, f.updateOnFailure,
                f.updateOrder, true);
        updateConfig(spec::getRollbackBuilder, "rollback", f.rollbackParallelism, f.rollbackDelay,
                f.rollbackOnFailure, f.rollbackOrder, false);
    }

    private static void updateConfig(java.util.function.Supplier<UpdateConfig.Builder> config, String flag,
                                     Long parallelism, String delay, String onFailure, String order,
                                     boolean rollbackAllowed) {
        if (parallelism != null) {
            config.get().setParallelism(parallelism);
        }
        if (delay != null) {
            config.get().setDelay(GoDurations.toProto(GoDurations.parse(delay)));
        }
        if (onFailure != null) {
            UpdateConfig.FailureAction action = switch (onFailure) {
                case "pause" -> UpdateConfig.FailureAction.PAUSE;
                case "continue" -> UpdateConfig.FailureAction.CONTINUE;
                case "rollback" -> rollbackAllowed ? UpdateConfig.FailureAction.ROLLBACK : null;
                default -> null;
            };
            if (action == null) {
                throw new IllegalArgumentException("--" + flag + "-on-failure value must be pause or continue");
            }
            config.get().setFailureAction(action);
        }
        if (order != null) {
            config.get().setOrder(switch (order) {
                case "stop-first" -> UpdateConfig.UpdateOrder.STOP_FIRST;
                case "start-first" -> UpdateConfig.UpdateOrder.START_FIRST;
                default -> throw new IllegalArgumentException(
                        "--" + flag + "-order value must be stop-first or start-first");
            });
        }
    }

    private static void placement(ServiceFlags f, ServiceSpec.Builder spec) {
        if (f.constraints != null) {
            spec.getTaskBuilder().getPlacementBuilder().clearConstraints().addAllConstraints(f.constraints);
        }
        if (f.replicasMaxPerNode != null) {
            if (!spec.hasReplicated()) {
                throw new IllegalArgumentException(
                        "--replicas-max-per-node can only be specified in --mode replicated");
            }
            spec.getTaskBuilder().getPlacementBuilder().setMaxReplicas(f.replicasMaxPerNode);
        }
    }

    private static void mounts(ServiceFlags f, ContainerSpec.Builder c) {
        each(f.binds, bind -> c.addMounts(sourceTarget(bind, Mount.Type.BIND, "bind")));
        each(f.volumes, volume -> {
            if (volume.contains(":")) {
                throw new IllegalArgumentException("volume format \"" + volume + "\" not supported");
            }
            c.addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setTarget(volume));
        });
        each(f.tmpfs, tmpfs -> c.addMounts(TmpfsMounts.parse(tmpfs)));
        each(f.npipes, npipe -> c.addMounts(sourceTarget(npipe, Mount.Type.NPIPE, "npipe")));
    }

    private static Mount sourceTarget(String text, Mount.Type type, String kind) {
        String[] parts = text.split(":", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException(kind + " format \"" + text + "\" not supported");
        }
        return Mount.newBuilder().setType(type).setSource(parts[0]).setTarget(parts[1]).build();
    }

    private static <T> void each(List<T> values, Consumer<T> action) {
        if (values != null) {
            values.forEach(action);
        }
    }

    /** {@code name:port[/proto][:published[/proto]]}; swarmctl publishes in host mode. */
    static final class Ports {
        private Ports() {
        }

        static PortConfig parse(String text) {
            String[] parts = text.split(":", -1);
            if (parts.length < 2) {
                throw new IllegalArgumentException("insufficient parameters in port configuration");
            }
            PortConfig.Builder port = PortConfig.newBuilder().setName(parts[0])
                    .setPublishMode(PortConfig.PublishMode.HOST);
            PortSpec target = portSpec(parts[1], "failed to parse port");
            port.setProtocol(target.protocol()).setTargetPort(target.port());
            if (parts.length > 2) {
                PortSpec published = portSpec(parts[2], "failed to parse node port");
                if (published.protocol() != target.protocol()) {
                    throw new IllegalArgumentException("protocol mismatch");
                }
                port.setPublishedPort(published.port());
            }
            return port.build();
        }

        private record PortSpec(PortConfig.Protocol protocol, int port) {
        }

        private static PortSpec portSpec(String text, String context) {
            String[] parts = text.split("/", -1);
            long port;
            try {
                port = Long.parseLong(parts[0]);
                if (port < 0 || port > 0xFFFFFFFFL) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(context + ": strconv.ParseUint: parsing "
                        + dev.swarmkit.swarmctl.text.GoStrings.quote(parts[0]) + ": invalid syntax");
            }
            PortConfig.Protocol protocol = PortConfig.Protocol.TCP;
            if (parts.length > 1) {
                try {
                    protocol = PortConfig.Protocol.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(context + ": invalid protocol string: " + parts[1]);
                }
            }
            return new PortSpec(protocol, (int) port);
        }
    }
}
