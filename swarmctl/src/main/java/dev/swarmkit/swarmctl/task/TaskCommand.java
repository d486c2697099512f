package dev.swarmkit.swarmctl.task;

import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.RemoveTaskRequest;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Resolver;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.text.GoStrings;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "task", description = "List, inspect and remove tasks.",
        subcommands = {TaskCommand.Ls.class, TaskCommand.Inspect.class, TaskCommand.Rm.class})
public final class TaskCommand extends CommandGroup {

    @Command(name = "ls", description = "List tasks.")
    static final class Ls extends SwarmctlCommand {
        @Option(names = {"-a", "--all"}, description = "Include tasks that are no longer meant to run")
        boolean all;
        @Mixin
        ListOutput output;

        @Override
        protected void run(Session session) {
            output.print(session, () -> session.control().listTasks(ListTasksRequest.getDefaultInstance())
                    .getTasksList().stream().filter(t -> all || !TaskTable.isPastRunning(t)).toList(),
                    (w, tasks) -> {
                        Resolver resolver = session.resolver();
                        Tables.header(w, "ID", "Service", "Desired State", "Last State", "Node");
                        for (Task t : tasks) {
                            w.row(t.getId(),
                                    resolver.service(t.getServiceId()) + "." + Long.toUnsignedString(t.getSlot()),
                                    t.getDesiredState().name(), TaskTable.lastState(t, session.now()),
                                    resolver.node(t.getNodeId()));
                        }
                    });
        }
    }

    @Command(name = "inspect", description = "Show a task and the earlier tasks of its slot.")
    static final class Inspect extends SwarmctlCommand {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<task ID>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "task ID missing", "inspect command takes exactly 1 argument");
            Task task = session.lookup().task(input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), task);
                return;
            }
            List<Task> previous = session.control().listTasks(ListTasksRequest.newBuilder()
                            .setFilters(ListTasksRequest.Filters.newBuilder().addServiceIds(task.getServiceId()))
                            .build()).getTasksList().stream()
                    .filter(t -> t.getServiceId().equals(task.getServiceId()) && t.getSlot() == task.getSlot())
                    .toList();
            Resolver resolver = session.resolver();
            session.out().print(summary(task, resolver));
            if (!previous.isEmpty()) {
                session.out().println();
                session.out().println("===> Task Parents");
                session.out().print(TaskTable.render(previous, true, resolver, session.now()));
            }
        }

        static String summary(Task task, Resolver resolver) {
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            w.printf("ID\t: %s\n", task.getId());
            w.printf("Slot\t: %s\n", Long.toUnsignedString(task.getSlot()));
            w.printf("Service\t: %s\n", resolver.service(task.getServiceId()));
            status(w, task);
            w.printf("Node\t: %s\n", resolver.node(task.getNodeId()));
            w.println("Spec\t");
            ContainerSpec ctr = task.getSpec().getContainer();
            ifNotEmpty(w, "  Image\t: %s\n", ctr.getImage());
            String command = String.join(" ", ctr.getCommandList());
            ifNotEmpty(w, "  Command\t: %s\n", command.isEmpty() ? "" : GoStrings.quote(command));
            ifNotEmpty(w, "  Args\t: [%s]\n", String.join(", ", ctr.getArgsList()));
            ifNotEmpty(w, "  Env\t: [%s]\n", String.join(", ", ctr.getEnvList()));
            if (ctr.getSecretsCount() > 0) {
                w.println("  Secrets:");
                for (SecretReference sr : ctr.getSecretsList()) {
                    String mode = sr.hasFile() ? "FILE" : "";
                    w.printf("    [%s] %s:%s\n", mode, sr.getSecretName(), sr.hasFile() ? sr.getFile().getName() : "");
                }
            }
            if (ctr.getConfigsCount() > 0) {
                w.println("  Configs:");
                for (ConfigReference cr : ctr.getConfigsList()) {
                    String mode = cr.hasFile() ? "FILE" : "";
                    w.printf("    [%s] %s:%s\n", mode, cr.getConfigName(), cr.hasFile() ? cr.getFile().getName() : "");
                }
            }
            networks(w, task);
            w.flush();
            return out.toString();
        }

        /** Not in upstream's swarmctl: the addresses the allocator gave the task, and its published ports. */
        private static void networks(TabWriter w, Task task) {
            if (task.getNetworksCount() > 0) {
                w.println("Networks\t");
                for (NetworkAttachment a : task.getNetworksList()) {
                    w.printf("  %s\t: %s\n", a.getNetwork().getSpec().getAnnotations().getName(),
                            String.join(", ", a.getAddressesList()));
                }
            }
            List<PortConfig> published = task.getEndpoint().getPortsList();
            if (!published.isEmpty()) {
                w.printf("Published Ports\t: %s\n", published.stream()
                        .map(p -> (p.getPublishedPort() == 0 ? "*" : Integer.toString(p.getPublishedPort())) + "->"
                                + p.getTargetPort() + "/" + protocol(p) + " ("
                                + p.getPublishMode().name().toLowerCase(Locale.ROOT) + ")")
                        .collect(Collectors.joining(", ")));
            }
        }

        private static void status(TabWriter w, Task t) {
            TaskStatus status = t.getStatus();
            w.println("Status\t");
            w.printf("  Desired State\t: %s\n", t.getDesiredState().name());
            w.printf("  Last State\t: %s\n", status.getState().name());
            if (status.hasTimestamp()) {
                w.printf("  Timestamp\t: %s\n", GoStrings.timestamp(status.getTimestamp()));
            }
            if (!status.getMessage().isEmpty()) {
                w.printf("  Message\t: %s\n", status.getMessage());
            }
            if (!status.getErr().isEmpty()) {
                w.printf("  Error\t: %s\n", status.getErr());
            }
            if (!status.hasContainer()) {
                return;
            }
            if (!status.getContainer().getContainerId().isEmpty()) {
                w.printf("  ContainerID:\t: %s\n", status.getContainer().getContainerId());
            }
            if (status.getContainer().getPid() != 0) {
                w.printf("  Pid\t: %d\n", status.getContainer().getPid());
            }
            if (status.getStateValue() > TaskState.RUNNING_VALUE) {
                w.printf("  ExitCode\t: %d\n", status.getContainer().getExitCode());
            }
            if (status.hasPortStatus() && status.getPortStatus().getPortsCount() > 0) {
                String ports = status.getPortStatus().getPortsList().stream()
                        .map(p -> "0.0.0.0:" + p.getPublishedPort() + "->" + p.getTargetPort() + "/"
                                + protocol(p))
                        .collect(Collectors.joining(", "));
                w.printf("Ports\t: %s\n", ports);
            }
        }

        private static String protocol(PortConfig p) {
            return p.getProtocol().name().toLowerCase(Locale.ROOT);
        }

        private static void ifNotEmpty(TabWriter w, String format, String value) {
            if (!value.isEmpty()) {
                w.printf(format, value);
            }
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a task.")
    static final class Rm extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<task ID>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "task ID missing", "remove command takes exactly 1 argument");
            Task task = session.lookup().task(input);
            session.control().removeTask(RemoveTaskRequest.newBuilder().setTaskId(task.getId()).build());
            session.out().println(input);
        }
    }
}
