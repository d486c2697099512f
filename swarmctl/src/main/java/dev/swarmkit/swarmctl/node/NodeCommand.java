package dev.swarmkit.swarmctl.node;

import dev.swarmkit.api.ListNodesRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.RemoveNodeRequest;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.UpdateNodeRequest;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.CsvField;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.task.TaskTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "node", description = "List, inspect and change the nodes of the swarm.",
        subcommands = {
            NodeCommand.Activate.class, NodeCommand.Demote.class, NodeCommand.Drain.class,
            NodeCommand.Inspect.class, NodeCommand.Ls.class, NodeCommand.Pause.class,
            NodeCommand.Promote.class, NodeCommand.Rm.class, NodeCommand.Update.class
        })
public final class NodeCommand extends CommandGroup {

    @Command(name = "ls", description = "List nodes.")
    static final class Ls extends SwarmctlCommand {
        @Mixin
        ListOutput output;

        @Override
        protected void run(Session session) {
            output.print(session,
                    () -> session.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                    (w, nodes) -> {
                        Tables.header(w, "ID", "Name", "Membership", "Status", "Availability", "Manager Status");
                        for (Node n : nodes) {
                            w.row(n.getId(), displayName(n), n.getSpec().getMembership().name(),
                                    n.getStatus().getState().name(), n.getSpec().getAvailability().name(),
                                    managerStatus(n));
                        }
                    });
        }

        /** "REACHABLE *" marks the leader; a node asked to become a manager but not yet one is UNKNOWN. */
        static String managerStatus(Node n) {
            String reachability = "";
            if (n.hasManagerStatus()) {
                reachability = n.getManagerStatus().getReachability().name();
                if (n.getManagerStatus().getLeader()) {
                    reachability += " *";
                }
            }
            if (reachability.isEmpty() && n.getSpec().getDesiredRole() == NodeRole.MANAGER) {
                reachability = "UNKNOWN";
            }
            return reachability;
        }
    }

    static String displayName(Node n) {
        String name = n.getSpec().getAnnotations().getName();
        if (name.isEmpty() && n.hasDescription()) {
            name = n.getDescription().getHostname();
        }
        return name;
    }

    @Command(name = "inspect", description = "Show a node and the tasks it runs.")
    static final class Inspect extends SwarmctlCommand {
        @Option(names = {"-a", "--all"}, description = "Include tasks that are no longer meant to run")
        boolean all;
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<node>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "node ID missing", "inspect command takes exactly 1 argument");
            Node node = session.lookup().node(input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), node);
                return;
            }
            List<Task> tasks = session.control().listTasks(ListTasksRequest.newBuilder()
                    .setFilters(ListTasksRequest.Filters.newBuilder().addNodeIds(node.getId())).build())
                    .getTasksList().stream().filter(t -> t.getNodeId().equals(node.getId())).toList();
            session.out().print(NodeSummary.render(node));
            if (!tasks.isEmpty()) {
                session.out().println();
                session.out().print(TaskTable.render(tasks, all, session.resolver(), session.now()));
            }
        }
    }

    /** Applies a change to a node's spec and sends it, refusing no-op updates as upstream does. */
    abstract static class NodeChange extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<node>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "missing node ID", "command takes exactly 1 argument");
            Node node = session.lookup().node(input);
            NodeSpec changed = change(node.getSpec());
            if (changed.equals(node.getSpec())) {
                throw new CliException(noChangeMessage(input));
            }
            session.control().updateNode(UpdateNodeRequest.newBuilder()
                    .setNodeId(node.getId())
                    .setNodeVersion(node.getMeta().getVersion())
                    .setSpec(changed)
                    .build());
        }

        abstract NodeSpec change(NodeSpec spec);

        abstract String noChangeMessage(String input);
    }

    abstract static class AvailabilityChange extends NodeChange {
        private final NodeSpec.Availability availability;
        private final String word;

        AvailabilityChange(NodeSpec.Availability availability, String word) {
            this.availability = availability;
            this.word = word;
        }

        @Override
        NodeSpec change(NodeSpec spec) {
            return spec.toBuilder().setAvailability(availability).build();
        }

        @Override
        String noChangeMessage(String input) {
            return "Node " + input + " is already " + word;
        }
    }

    abstract static class RoleChange extends NodeChange {
        private final NodeRole role;
        private final String word;

        RoleChange(NodeRole role, String word) {
            this.role = role;
            this.word = word;
        }

        @Override
        NodeSpec change(NodeSpec spec) {
            return spec.toBuilder().setDesiredRole(role).build();
        }

        @Override
        String noChangeMessage(String input) {
            return "Node " + input + " is already " + word;
        }
    }

    @Command(name = "activate", description = "Let the scheduler place tasks on a node again.")
    static final class Activate extends AvailabilityChange {
        Activate() {
            super(NodeSpec.Availability.ACTIVE, "active");
        }
    }

    @Command(name = "pause", description = "Stop placing new tasks on a node; running tasks stay.")
    static final class Pause extends AvailabilityChange {
        Pause() {
            super(NodeSpec.Availability.PAUSE, "paused");
        }
    }

    @Command(name = "drain", description = "Move all tasks off a node and place no new ones on it.")
    static final class Drain extends AvailabilityChange {
        Drain() {
            super(NodeSpec.Availability.DRAIN, "drained");
        }
    }

    @Command(name = "promote", description = "Make a node a manager.")
    static final class Promote extends RoleChange {
        Promote() {
            super(NodeRole.MANAGER, "a manager");
        }
    }

    @Command(name = "demote", description = "Make a manager node a worker.")
    static final class Demote extends RoleChange {
        Demote() {
            super(NodeRole.WORKER, "a worker");
        }
    }

    @Command(name = "update", description = "Change a node's labels.")
    static final class Update extends NodeChange {
        @Option(names = "--label", split = ",", converter = CsvField.class, paramLabel = "<key=value>",
                description = "Replace all node labels with these (repeatable)")
        List<String> labels;
        @Option(names = "--label-add", split = ",", converter = CsvField.class, paramLabel = "<key=value>",
                description = "Add or change a node label (repeatable)")
        List<String> labelAdd;
        @Option(names = "--label-rm", split = ",", converter = CsvField.class, paramLabel = "<key>",
                description = "Remove a node label (repeatable)")
        List<String> labelRm;

        @Override
        NodeSpec change(NodeSpec spec) {
            Map<String, String> result = new LinkedHashMap<>(spec.getAnnotations().getLabelsMap());
            if (labels != null) {
                result.clear();
                labels.forEach(l -> put(result, l, true));
            }
            if (labelAdd != null) {
                labelAdd.forEach(l -> put(result, l, false));
            }
            if (labelRm != null) {
                labelRm.forEach(k -> result.remove(k.trim()));
            }
            NodeSpec.Builder builder = spec.toBuilder();
            builder.getAnnotationsBuilder().clearLabels().putAllLabels(result);
            return builder.build();
        }

        private static void put(Map<String, String> labels, String label, boolean valueRequired) {
            String[] parts = label.split("=", 2);
            if (parts.length != 2 && valueRequired) {
                throw new CliException("malformed label for node " + label);
            }
            labels.put(parts[0].trim(), parts.length == 2 ? parts[1].trim() : "");
        }

        @Override
        String noChangeMessage(String input) {
            return "No change for node " + input;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a node from the swarm.")
    static final class Rm extends SwarmctlCommand {
        @Option(names = {"-f", "--force"}, description = "Remove the node even if it is still up or a manager")
        boolean force;
        @OneArgument
        @Parameters(paramLabel = "<node>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "missing node ID", "remove command takes exactly 1 argument");
            Node node = session.lookup().node(input);
            session.control().removeNode(RemoveNodeRequest.newBuilder()
                    .setNodeId(node.getId()).setForce(force).build());
        }
    }
}
