package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.ListTasksRequest;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.Session;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --detach=false}: follows a service until its tasks have converged on its spec, printing the
 * progress whenever it changes, as the Docker CLI does (one block per change rather than redrawing a
 * terminal). Fails when a rolling update pauses or rolls back, or when a task fails and the restart
 * policy will not replace it. Polls the Control API, as the Docker CLI does.
 */
final class Convergence {
    static final long POLL_MILLIS = 200;

    private final Session session;
    private final String serviceId;

    Convergence(Session session, String serviceId) {
        this.session = session;
        this.serviceId = serviceId;
    }

    /** Waits until converged; throws a {@link CliException} on failure. */
    void await() throws InterruptedException {
        String shown = null;
        while (true) {
            Service service = session.control().getService(GetServiceRequest.newBuilder()
                    .setServiceId(serviceId).build()).getService();
            List<Task> tasks = session.control().listTasks(ListTasksRequest.newBuilder()
                    .setFilters(ListTasksRequest.Filters.newBuilder().addServiceIds(serviceId)).build())
                    .getTasksList();
            Progress progress = Progress.of(service, tasks);
            String text = progress.render();
            if (!text.equals(shown)) {
                session.out().print(text);
                session.out().flush();
                shown = text;
            }
            if (progress.failure() != null) {
                throw new CliException(progress.failure());
            }
            if (progress.converged()) {
                session.out().println("verify: Service converged");
                session.out().flush();
                return;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** One look at a service and its tasks. */
    record Progress(List<String> lines, int running, int desired, boolean converged, String failure) {
        String render() {
            StringBuilder text = new StringBuilder();
            text.append("overall progress: ").append(running).append(" out of ").append(desired).append(" tasks\n");
            lines.forEach(line -> text.append(line).append('\n'));
            return text.toString();
        }

        static Progress of(Service service, List<Task> tasks) {
            boolean global = service.getSpec().hasGlobal();
            // The task that is meant to run in each slot (replicated) or on each node (global).
            Map<String, Task> current = new TreeMap<>(global ? Comparator.naturalOrder() : SLOT_ORDER);
            boolean stale = false;
            for (Task task : tasks) {
                if (task.getDesiredStateValue() > TaskState.RUNNING_VALUE) {
                    // Replaced or removed: it only holds convergence up while it still runs.
                    stale |= task.getStatus().getState() == TaskState.RUNNING;
                    continue;
                }
                String key = global ? task.getNodeId() : Long.toString(task.getSlot());
                current.merge(key, task, (a, b) -> newer(a, b) ? a : b);
            }
            int desired = global ? current.size() : (int) service.getSpec().getReplicated().getReplicas();
            List<String> lines = new ArrayList<>();
            int running = 0;
            String failure = null;
            // Without a restart policy the default applies, which is to restart on any exit.
            boolean noRestart = service.getSpec().getTask().hasRestart()
                    && service.getSpec().getTask().getRestart().getCondition() == RestartPolicy.RestartCondition.NONE;
            for (int i = 1; !global && i <= desired; i++) {
                current.putIfAbsent(Long.toString(i), null);
            }
            for (Map.Entry<String, Task> entry : current.entrySet()) {
                Task task = entry.getValue();
                String name = global ? entry.getKey() : entry.getKey() + "/" + desired;
                if (task == null) {
                    lines.add(name + ": waiting for a task");
                    continue;
                }
                TaskState state = task.getStatus().getState();
                // A task of an earlier spec version still counts when that version's task spec is the
                // current one (e.g. only the replica count changed, which replaces no task).
                boolean upToDate = !task.hasSpecVersion() || !service.hasSpecVersion()
                        || task.getSpecVersion().getIndex() >= service.getSpecVersion().getIndex()
                        || task.getSpec().equals(service.getSpec().getTask());
                if (state == TaskState.RUNNING && upToDate) {
                    running++;
                }
                String error = task.getStatus().getErr();
                lines.add(name + ": " + state.name().toLowerCase(Locale.ROOT) + (error.isEmpty() ? "" : " (" + error + ")"));
                if (noRestart && (state == TaskState.FAILED || state == TaskState.REJECTED) && failure == null) {
                    failure = "task " + task.getId() + " " + state.name().toLowerCase(Locale.ROOT)
                            + (error.isEmpty() ? "" : ": " + error) + ", and the restart policy will not replace it";
                }
            }
            boolean extra = !global && current.size() > desired;
            UpdateStatus update = service.getUpdateStatus();
            boolean updating = false;
            switch (update.getState()) {
                case UPDATING, ROLLBACK_STARTED -> {
                    updating = true;
                    lines.add("update: " + describe(update));
                }
                case PAUSED, ROLLBACK_PAUSED, ROLLBACK_COMPLETED -> {
                    lines.add("update: " + describe(update));
                    if (failure == null) {
                        failure = "update " + describe(update);
                    }
                }
                case COMPLETED -> lines.add("update: " + describe(update));
                default -> { }
            }
            boolean converged = failure == null && !updating && !stale && !extra && running == desired;
            return new Progress(lines, running, desired, converged, failure);
        }

        private static String describe(UpdateStatus update) {
            String state = update.getState().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            return update.getMessage().isEmpty() ? state : state + ": " + update.getMessage();
        }

        private static boolean newer(Task a, Task b) {
            return a.getMeta().getCreatedAt().getSeconds() != b.getMeta().getCreatedAt().getSeconds()
                    ? a.getMeta().getCreatedAt().getSeconds() > b.getMeta().getCreatedAt().getSeconds()
                    : a.getMeta().getCreatedAt().getNanos() >= b.getMeta().getCreatedAt().getNanos();
        }

        private static final Comparator<String> SLOT_ORDER = Comparator.comparingLong(Long::parseLong);
    }
}
