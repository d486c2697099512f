package dev.swarmkit.swarmctl;

import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.GetNodeRequest;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetTaskRequest;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Task;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns object IDs into names for display, asking the manager once per ID. Anything that cannot be
 * looked up is shown as its ID, so a display never fails because of a vanished object.
 */
public final class Resolver {
    private final Supplier<ControlGrpc.ControlBlockingStub> control;
    private final boolean disabled;
    private final Map<String, String> cache = new HashMap<>();

    Resolver(Supplier<ControlGrpc.ControlBlockingStub> control, boolean disabled) {
        this.control = control;
        this.disabled = disabled;
    }

    public String node(String id) {
        return resolve("node:" + id, id, () -> {
            Node node = control.get().getNode(GetNodeRequest.newBuilder().setNodeId(id).build()).getNode();
            if (!node.getSpec().getAnnotations().getName().isEmpty()) {
                return node.getSpec().getAnnotations().getName();
            }
            return node.hasDescription() ? node.getDescription().getHostname() : id;
        });
    }

    public String service(String id) {
        return resolve("service:" + id, id, () -> control.get()
                .getService(GetServiceRequest.newBuilder().setServiceId(id).build())
                .getService().getSpec().getAnnotations().getName());
    }

    /** A task as "service.slot", the way logs and task lists name it. */
    public String task(String id) {
        return resolve("task:" + id, id, () -> {
            Task task = control.get().getTask(GetTaskRequest.newBuilder().setTaskId(id).build()).getTask();
            return service(task.getServiceId()) + "." + task.getSlot();
        });
    }

    private String resolve(String key, String id, Supplier<String> lookup) {
        if (disabled) {
            return id;
        }
        String cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        String name;
        try {
            name = lookup.get();
        } catch (StatusRuntimeException e) {
            name = id;
        }
        // Not computeIfAbsent: resolving a task resolves its service, which writes to the cache too.
        cache.put(key, name);
        return name;
    }
}
