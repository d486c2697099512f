package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.LogMessage;
import dev.swarmkit.api.LogSelector;
import dev.swarmkit.api.LogStream;
import dev.swarmkit.api.LogSubscriptionOptions;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeStatus;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.ReplicatedService;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.SubscribeLogsMessage;
import dev.swarmkit.api.SubscribeLogsRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.CsvField;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Resolver;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.task.TaskTable;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "service", aliases = "svc", description = "Create, inspect, change and remove services.",
        subcommands = {ServiceCommand.Inspect.class, ServiceCommand.Ls.class, ServiceCommand.Create.class,
            ServiceCommand.Update.class, ServiceCommand.Rollback.class, ServiceCommand.Rm.class,
            ServiceCommand.Logs.class})
public final class ServiceCommand extends CommandGroup {

    @Command(name = "create", description = "Create a service; prints its ID.")
    static final class Create extends SwarmctlCommand {
        @Mixin
        ServiceFlags flags;
        @Option(names = "--mode", paramLabel = "<replicated|global>",
                description = "Run a number of replicas, or one task per node (default replicated)")
        String mode;
        @Option(names = "--secret", split = ",", converter = CsvField.class, paramLabel = "<name[:target]>",
                description = "Give the tasks a secret as a file")
        List<String> secrets;
        @Option(names = "--config", split = ",", converter = CsvField.class, paramLabel = "<name[:target]>",
                description = "Give the tasks a config as a file")
        List<String> configs;
        @Option(names = "--detach", arity = "0..1", fallbackValue = "true", defaultValue = "true",
                paramLabel = "<bool>", description = "Exit at once (default); with --detach=false, show the "
                + "tasks converging and exit non-zero if the service fails to converge")
        boolean detach;
        @Parameters(hidden = true)
        List<String> args;

        @Override
        protected void run(Session session) throws InterruptedException {
            none(args, "create command takes no arguments");
            if (flags.name == null || flags.image == null) {
                throw CliException.usage("--name and --image are mandatory");
            }
            ServiceSpec.Builder spec = ServiceSpec.newBuilder()
                    .setReplicated(ReplicatedService.newBuilder().setReplicas(1));
            spec.getTaskBuilder().setContainer(ContainerSpec.getDefaultInstance());
            ServiceSpecMerger.merge(flags, spec, mode, false, input -> session.lookup().network(input).getId());
            if (secrets != null) {
                References.addSecrets(spec.getTaskBuilder().getContainerBuilder(), secrets, session.control());
            }
            if (configs != null) {
                References.addConfigs(spec.getTaskBuilder().getContainerBuilder(), configs, session.control());
            }
            Service created = session.control().createService(CreateServiceRequest.newBuilder()
                    .setSpec(spec).build()).getService();
            session.out().println(created.getId());
            if (!detach) {
                new Convergence(session, created.getId()).await();
            }
        }
    }

    @Command(name = "update", description = "Change a service; prints its ID.")
    static final class Update extends SwarmctlCommand {
        @Mixin
        ServiceFlags flags;
        @Option(names = "--add-secret", split = ",", converter = CsvField.class, paramLabel = "<name[:target]>", description = "Add a secret")
        List<String> addSecrets;
        @Option(names = "--rm-secret", split = ",", converter = CsvField.class, paramLabel = "<name>", description = "Remove a secret")
        List<String> rmSecrets;
        @Option(names = "--add-config", split = ",", converter = CsvField.class, paramLabel = "<name[:target]>", description = "Add a config")
        List<String> addConfigs;
        @Option(names = "--rm-config", split = ",", converter = CsvField.class, paramLabel = "<name>", description = "Remove a config")
        List<String> rmConfigs;
        @Option(names = "--add-capability", split = ",", converter = CsvField.class, paramLabel = "<CAP>", description = "Grant a capability")
        List<String> addCapabilities;
        @Option(names = "--rm-capability", split = ",", converter = CsvField.class, paramLabel = "<CAP>", description = "Drop a capability")
        List<String> rmCapabilities;
        @Option(names = "--force", description = "Restart the tasks even if nothing else changed")
        boolean force;
        @Option(names = "--detach", arity = "0..1", fallbackValue = "true", defaultValue = "true",
                paramLabel = "<bool>", description = "Exit at once (default); with --detach=false, show the "
                + "tasks converging and exit non-zero if the service fails to converge")
        boolean detach;
        @OneArgument
        @Parameters(paramLabel = "<service>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) throws InterruptedException {
            String input = exactlyOne(args, "service ID missing", "update command takes exactly 1 argument");
            Service service = session.lookup().service(input);
            ServiceSpec.Builder spec = service.getSpec().toBuilder();
            ServiceSpecMerger.merge(flags, spec, null, force, name -> session.lookup().network(name).getId());
            if (addSecrets != null) {
                References.addSecrets(spec.getTaskBuilder().getContainerBuilder(), addSecrets, session.control());
            }
            if (rmSecrets != null) {
                References.removeSecrets(spec.getTaskBuilder().getContainerBuilder(), rmSecrets);
            }
            if (addConfigs != null) {
                References.addConfigs(spec.getTaskBuilder().getContainerBuilder(), addConfigs, session.control());
            }
            if (rmConfigs != null) {
                References.removeConfigs(spec.getTaskBuilder().getContainerBuilder(), rmConfigs);
            }
            if (addCapabilities != null) {
                References.addCapabilities(spec.getTaskBuilder().getContainerBuilder(), addCapabilities);
            }
            if (rmCapabilities != null) {
                References.dropCapabilities(spec.getTaskBuilder().getContainerBuilder(), rmCapabilities);
            }
            if (spec.build().equals(service.getSpec())) {
                throw new CliException("no changes detected");
            }
            Service updated = session.control().updateService(UpdateServiceRequest.newBuilder()
                    .setServiceId(service.getId())
                    .setServiceVersion(service.getMeta().getVersion())
                    .setSpec(spec)
                    .build()).getService();
            session.out().println(updated.getId());
            if (!detach) {
                new Convergence(session, updated.getId()).await();
            }
        }
    }

    /** As {@code docker service rollback}: UpdateService with rollback=PREVIOUS and the current spec. */
    @Command(name = "rollback",
            description = "Go back to the service's previous spec, rolling tasks with its rollback config; "
                    + "prints its ID.")
    static final class Rollback extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<service>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "service ID missing", "rollback command takes exactly 1 argument");
            Service service = session.lookup().service(input);
            Service rolledBack = session.control().updateService(UpdateServiceRequest.newBuilder()
                    .setServiceId(service.getId())
                    .setServiceVersion(service.getMeta().getVersion())
                    .setSpec(service.getSpec())
                    .setRollback(UpdateServiceRequest.Rollback.PREVIOUS)
                    .build()).getService();
            session.out().println(rolledBack.getId());
        }
    }

    @Command(name = "ls", description = "List services with their running/desired replicas.")
    static final class Ls extends SwarmctlCommand {
        @Mixin
        ListOutput output;

        @Override
        protected void run(Session session) {
            output.print(session,
                    () -> session.control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList(),
                    (w, services) -> {
                        Map<String, Integer> running = runningTasks(session);
                        Tables.header(w, "ID", "Name", "Image", "Replicas");
                        for (Service s : services) {
                            w.row(s.getId(), s.getSpec().getAnnotations().getName(),
                                    s.getSpec().getTask().getContainer().getImage(),
                                    ServiceSummary.replicas(s, running.getOrDefault(s.getId(), 0)));
                        }
                    });
        }

        /** Running tasks per service; only tasks running on nodes that are not down count as running. */
        private static Map<String, Integer> runningTasks(Session session) {
            Set<String> liveNodes = new HashSet<>();
            for (Node n : session.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
                if (n.getStatus().getState() != NodeStatus.State.DOWN) {
                    liveNodes.add(n.getId());
                }
            }
            Map<String, Integer> running = new HashMap<>();
            for (Task t : session.control().listTasks(ListTasksRequest.getDefaultInstance()).getTasksList()) {
                if (liveNodes.contains(t.getNodeId()) && t.getStatus().getState() == TaskState.RUNNING) {
                    running.merge(t.getServiceId(), 1, Integer::sum);
                }
            }
            return running;
        }
    }

    @Command(name = "inspect", description = "Show a service and its tasks.")
    static final class Inspect extends SwarmctlCommand {
        @Option(names = {"-a", "--all"}, description = "Include tasks that are no longer meant to run")
        boolean all;
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<service>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "service ID missing", "inspect command takes exactly 1 argument");
            Resolver resolver = session.resolver();
            Service service = session.lookup().service(input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), service);
                return;
            }
            List<Task> tasks = session.control().listTasks(ListTasksRequest.newBuilder()
                    .setFilters(ListTasksRequest.Filters.newBuilder().addServiceIds(service.getId())).build())
                    .getTasksList().stream().filter(t -> t.getServiceId().equals(service.getId())).toList();
            int running = (int) tasks.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).count();
            session.out().print(ServiceSummary.render(service, running, session.now()));
            if (!tasks.isEmpty()) {
                session.out().println();
                session.out().print(TaskTable.render(tasks, all, resolver, session.now()));
            }
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a service and its tasks.")
    static final class Rm extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<service>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "service ID missing", "remove command takes exactly 1 argument");
            Service service = session.lookup().service(input);
            session.control().removeService(RemoveServiceRequest.newBuilder().setServiceId(service.getId()).build());
            session.out().println(input);
        }
    }

    @Command(name = "logs", aliases = "log", description = "Print the logs of one or more services.")
    static final class Logs extends SwarmctlCommand {
        @Option(names = {"-f", "--follow"}, description = "Keep streaming new log lines")
        boolean follow;
        @Parameters(paramLabel = "<service>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            if (args == null || args.isEmpty()) {
                throw CliException.usage("missing service IDs");
            }
            List<String> serviceIds = new ArrayList<>();
            for (String arg : args) {
                serviceIds.add(session.lookup().service(arg).getId());
            }
            Resolver resolver = session.resolver();
            Iterator<SubscribeLogsMessage> stream;
            try {
                stream = session.logs().subscribeLogs(SubscribeLogsRequest.newBuilder()
                        .setSelector(LogSelector.newBuilder().addAllServiceIds(serviceIds))
                        .setOptions(LogSubscriptionOptions.newBuilder().setFollow(follow))
                        .build());
                while (stream.hasNext()) {
                    for (LogMessage msg : stream.next().getMessagesList()) {
                        PrintWriter out = msg.getStream() == LogStream.LOG_STREAM_STDERR ? session.err() : session.out();
                        out.print(resolver.task(msg.getContext().getTaskId()) + "@"
                                + resolver.node(msg.getContext().getNodeId()) + "❯ ");
                        out.print(msg.getData().toString(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            } catch (StatusRuntimeException e) {
                throw new CliException("failed receiving stream message: " + e.getStatus().getDescription());
            }
        }
    }
}
