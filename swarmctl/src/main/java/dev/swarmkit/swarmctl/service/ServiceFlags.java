package dev.swarmkit.swarmctl.service;

import dev.swarmkit.swarmctl.CsvField;
import dev.swarmkit.swarmctl.LogDriverFlags;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags shared by {@code service create} and {@code service update}, named as upstream's. A null
 * field means the flag was not given, so update leaves that part of the spec alone.
 */
public final class ServiceFlags {
    @Option(names = "--name", description = "Service name")
    String name;
    @Option(names = "--label", split = ",", converter = CsvField.class, paramLabel = "<key=value>",
            description = "Service labels; replaces all existing ones")
    List<String> labels;

    @Option(names = "--replicas", paramLabel = "<n>",
            description = "Number of tasks to run (replicated mode only; default 1)")
    Long replicas;
    @Option(names = "--replicas-max-per-node", paramLabel = "<n>",
            description = "At most this many tasks per node (replicated mode only; 0 = no limit)")
    Long replicasMaxPerNode;

    @Option(names = "--image", description = "Container image")
    String image;
    @Option(names = "--hostname", description = "Container hostname")
    String hostname;
    @Option(names = "--command", split = ",", converter = CsvField.class, paramLabel = "<arg>", description = "Replace the image's entrypoint")
    List<String> command;
    @Option(names = "--args", split = ",", converter = CsvField.class, paramLabel = "<arg>", description = "Arguments for the command")
    List<String> args;
    @Option(names = "--env", split = ",", converter = CsvField.class, paramLabel = "<KEY=value>", description = "Environment variables")
    List<String> env;
    @Option(names = "--tty", arity = "0..1", fallbackValue = "true", paramLabel = "<bool>",
            description = "Give the container a terminal")
    Boolean tty;
    @Option(names = "--open-stdin", arity = "0..1", fallbackValue = "true", paramLabel = "<bool>",
            description = "Keep the container's standard input open")
    Boolean openStdin;
    @Option(names = "--init", arity = "0..1", fallbackValue = "true", paramLabel = "<bool>",
            description = "Run an init process in the container that forwards signals and reaps zombies")
    Boolean init;
    @Option(names = "--oom-score-adj", paramLabel = "<n>", description = "OOM score adjustment, -1000 to 1000")
    Long oomScoreAdj;

    @Option(names = "--ports", split = ",", converter = CsvField.class, paramLabel = "<name:port[/proto][:published[/proto]]>",
            description = "Ports to publish (in host mode unless --publish-mode ingress)")
    List<String> ports;
    // Not in upstream's swarmctl (which always publishes in host mode): the API's default mode.
    @Option(names = "--publish-mode", paramLabel = "<host|ingress>",
            description = "How --ports are published: host (on the task's node) or ingress (a cluster-wide port)")
    String publishMode;
    @Option(names = "--network", paramLabel = "<network>", description = "Network to attach the tasks to")
    String network;

    @Option(names = "--memory-reservation", paramLabel = "<size>", description = "Memory to reserve, e.g. 512m")
    String memoryReservation;
    @Option(names = "--memory-limit", paramLabel = "<size>", description = "Memory limit, e.g. 512m")
    String memoryLimit;
    @Option(names = "--cpu-reservation", paramLabel = "<cpus>", description = "CPU cores to reserve, e.g. 0.5")
    String cpuReservation;
    @Option(names = "--cpu-limit", paramLabel = "<cpus>", description = "CPU core limit, e.g. 0.5")
    String cpuLimit;
    @Option(names = "--generic-resources", paramLabel = "<kind=n,...>",
            description = "User-defined resources to reserve, e.g. gpu=3,fpga=1")
    String genericResources;
    @Option(names = "--ulimit", split = ",", converter = CsvField.class, paramLabel = "<name=soft[:hard]>", description = "Resource limits")
    List<String> ulimits;

    @Option(names = "--update-parallelism", paramLabel = "<n>",
            description = "Tasks updated at once (0 = all at once)")
    Long updateParallelism;
    @Option(names = "--update-delay", paramLabel = "<duration>", description = "Pause between task updates")
    String updateDelay;
    @Option(names = "--update-on-failure", paramLabel = "<pause|continue|rollback>",
            description = "What to do when an updated task fails (default pause)")
    String updateOnFailure;
    @Option(names = "--update-order", paramLabel = "<stop-first|start-first>",
            description = "Stop the old task before starting the new one, or the reverse")
    String updateOrder;

    @Option(names = "--rollback-parallelism", paramLabel = "<n>",
            description = "Tasks rolled back at once (0 = all at once)")
    Long rollbackParallelism;
    @Option(names = "--rollback-delay", paramLabel = "<duration>", description = "Pause between task rollbacks")
    String rollbackDelay;
    @Option(names = "--rollback-on-failure", paramLabel = "<pause|continue>",
            description = "What to do when a rolled-back task fails (default pause)")
    String rollbackOnFailure;
    @Option(names = "--rollback-order", paramLabel = "<stop-first|start-first>",
            description = "Order of stopping and starting tasks during rollback")
    String rollbackOrder;

    @Option(names = "--restart-condition", paramLabel = "<any|failure|none>",
            description = "When to restart a task that ended (default any)")
    String restartCondition;
    @Option(names = "--restart-delay", paramLabel = "<duration>", description = "Wait before restarting (default 5s)")
    String restartDelay;
    @Option(names = "--restart-max-attempts", paramLabel = "<n>",
            description = "Give up after this many restarts (0 = never)")
    Long restartMaxAttempts;
    @Option(names = "--restart-window", paramLabel = "<duration>",
            description = "Window in which restart attempts count (0 = unbounded)")
    String restartWindow;

    @Option(names = "--constraint", split = ",", converter = CsvField.class, paramLabel = "<expr>",
            description = "Placement constraint, e.g. node.labels.key==value")
    List<String> constraints;

    @Option(names = "--bind", split = ",", converter = CsvField.class, paramLabel = "<source:target>", description = "Bind-mount a host path")
    List<String> binds;
    @Option(names = "--volume", split = ",", converter = CsvField.class, paramLabel = "<target>", description = "Mount an anonymous volume")
    List<String> volumes;
    @Option(names = "--tmpfs", split = ",", converter = CsvField.class, paramLabel = "<target[:option]>",
            description = "Mount a tmpfs; option: size=64m, mode=1777, ro, rw, exec or noexec. The value is a "
                    + "comma-separated list of mounts as upstream's, so quote a mount with several options: "
                    + "'\"/tmp:size=64m,ro\"'")
    List<String> tmpfs;
    @Option(names = "--npipe", split = ",", converter = CsvField.class, paramLabel = "<source:target>", description = "Mount a named pipe")
    List<String> npipes;

    @Mixin
    LogDriverFlags logDriver;
}
