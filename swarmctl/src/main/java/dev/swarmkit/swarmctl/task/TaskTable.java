package dev.swarmkit.swarmctl.task;

import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.swarmctl.Resolver;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.text.HumanUnits;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The task table that service, node and task inspect print below their summaries. */
public final class TaskTable {
    private TaskTable() {
    }

    /** Tasks by slot, the most recently created first within a slot; without {@code all}, only live ones. */
    public static String render(List<Task> tasks, boolean all, Resolver resolver, Instant now) {
        StringBuilder out = new StringBuilder();
        TabWriter w = new TabWriter(out, 4, 4);
        Tables.header(w, "Task ID", "Service", "Slot", "Image", "Desired State", "Last State", "Node");
        List<Task> sorted = new ArrayList<>(tasks);
        sorted.sort(Comparator.comparingLong(Task::getSlot)
                .thenComparing(TaskTable::createdNanos, Comparator.reverseOrder()));
        for (Task t : sorted) {
            if (!all && isPastRunning(t)) {
                continue;
            }
            w.row(t.getId(), t.getServiceAnnotations().getName(), Long.toUnsignedString(t.getSlot()),
                    t.getSpec().getContainer().getImage(), t.getDesiredState().name(), lastState(t, now),
                    resolver.node(t.getNodeId()));
        }
        w.flush();
        return out.toString();
    }

    static boolean isPastRunning(Task t) {
        return t.getDesiredStateValue() > TaskState.RUNNING_VALUE;
    }

    /** "RUNNING 15 seconds ago"; the state alone (with upstream's trailing space) without a timestamp. */
    public static String lastState(Task t, Instant now) {
        String ago = t.getStatus().hasTimestamp() ? HumanUnits.ago(t.getStatus().getTimestamp(), now) : "";
        return t.getStatus().getState().name() + " " + ago;
    }

    private static long createdNanos(Task t) {
        return t.getMeta().getCreatedAt().getSeconds() * 1_000_000_000L + t.getMeta().getCreatedAt().getNanos();
    }
}
